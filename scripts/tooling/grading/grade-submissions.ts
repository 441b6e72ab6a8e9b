/**
 * Grades a folder of submissions, laid out as `<submissions>/<student>/<notebook>.ipynb`, against the instructor's
 * notebooks (`<source>/<notebook>.ipynb`). Each (student, notebook) runs in its own kernel process, in its own
 * working copy, under its own time limits; a crash, a hang or a dead kernel scores that notebook and grading
 * moves on. Returns one row per (student, notebook, check).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CourseProfile } from '@dl-course/lib/config';
import { readNotebook, writeNotebook, Notebook } from '../notebook-file';
import { mapWithConcurrency } from '../pool';
import { NotebookRunResult, runNotebook } from '../run-notebook';
import { assembleGradedNotebook } from './assemble';
import { CheckSpec, listChecks } from './check-cells';
import { visibleCheckSource } from './student-version';

export interface GradeOptions {
  submissionsDir: string;
  sourceDir: string;
  outDir: string;
  profile: CourseProfile;
  cellTimeoutSeconds: number;
  notebookTimeoutSeconds: number;
  jobs: number;
  maxOutputBytes: number;
  /** Restrict to these notebook names (without .ipynb); default: every instructor notebook someone submitted. */
  notebooks?: string[];
  /** The project root, whose node_modules the kernels need; working copies outside it get a link to them. */
  projectRoot: string;
  log?: (line: string) => void;
}

export interface GradeRow {
  student: string;
  notebook: string;
  check: string;
  points: number;
  maxPoints: number;
  passed: boolean;
  error: string | null;
}

export interface NotebookGrade {
  student: string;
  notebook: string;
  status: NotebookRunResult['status'] | 'not-submitted' | 'unreadable';
  seconds: number;
  error: string | null;
  /** The executed graded copy, for the instructor to look at. */
  executed: string | null;
  rows: GradeRow[];
  /** What students may see of each check (null for hidden ones), for feedback pages. */
  checkSources: Record<string, string | null>;
}

interface Assignment {
  name: string;
  instructor: Notebook;
  checks: CheckSpec[];
}

const STUDENT_NAME = /^[\w][\w.@+-]*$/;

export async function gradeSubmissions(options: GradeOptions): Promise<NotebookGrade[]> {
  const log = options.log ?? (() => {});
  const students = listStudents(options.submissionsDir);
  if (students.length === 0) throw new Error(`${options.submissionsDir}: no student folders`);
  // Read every instructor notebook before any submission runs: later changes on disk cannot affect this run.
  const assignments = loadAssignments(options, students);
  const jobs = students.flatMap((student) => assignments.map((assignment) => ({ student, assignment })));
  log(`grade: ${students.length} student(s) x ${assignments.length} notebook(s), ${options.jobs} at a time`);
  return mapWithConcurrency(jobs, options.jobs, async ({ student, assignment }) => {
    const grade = await gradeOne(student, assignment, options);
    const earned = grade.rows.reduce((s, r) => s + r.points, 0);
    const max = grade.rows.reduce((s, r) => s + r.maxPoints, 0);
    log(`  ${student} / ${assignment.name}: ${earned}/${max} (${grade.status}, ${grade.seconds.toFixed(1)} s)`);
    return grade;
  });
}

function listStudents(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => {
      if (!STUDENT_NAME.test(entry.name)) throw new Error(`${dir}/${entry.name}: student folder names must be simple`);
      return entry.name;
    })
    .sort();
}

function loadAssignments(options: GradeOptions, students: string[]): Assignment[] {
  let names = options.notebooks;
  if (!names) {
    const submitted = new Set<string>();
    for (const student of students) {
      for (const file of fs.readdirSync(path.join(options.submissionsDir, student))) {
        if (file.endsWith('.ipynb')) submitted.add(path.basename(file, '.ipynb'));
      }
    }
    names = [...submitted].filter((name) => fs.existsSync(path.join(options.sourceDir, `${name}.ipynb`)));
  }
  const assignments = names.sort().map((name) => {
    const file = path.join(options.sourceDir, `${name}.ipynb`);
    if (!fs.existsSync(file)) throw new Error(`${file}: no instructor notebook for '${name}'`);
    const instructor = readNotebook(file);
    return { name, instructor, checks: listChecks(instructor, file) };
  });
  const graded = assignments.filter((a) => a.checks.length > 0);
  if (graded.length === 0) throw new Error('no submitted notebook matches an instructor notebook with check cells');
  return graded;
}

async function gradeOne(student: string, assignment: Assignment, options: GradeOptions): Promise<NotebookGrade> {
  const { name, instructor, checks } = assignment;
  const checkSources = Object.fromEntries(
    checks.map((c) => [c.name, visibleCheckSource(instructor.cells[c.index]!, `${name}: check ${c.name}`)]),
  );
  const base = { student, notebook: name, seconds: 0, executed: null, checkSources };
  const studentDir = path.join(options.submissionsDir, student);
  const submitted = path.join(studentDir, `${name}.ipynb`);
  if (!fs.existsSync(submitted)) {
    return { ...base, status: 'not-submitted', error: 'not submitted', rows: zeroRows(student, name, checks, 'not submitted') };
  }
  let submission: Notebook;
  try {
    submission = readNotebook(submitted);
  } catch (error) {
    const why = `unreadable submission: ${(error as Error).message}`;
    return { ...base, status: 'unreadable', error: why, rows: zeroRows(student, name, checks, why) };
  }
  const { notebook, checkPositions } = assembleGradedNotebook(instructor, checks, submission);

  const workDir = path.join(options.outDir, 'work', student, name);
  fs.rmSync(workDir, { recursive: true, force: true });
  copyWorkingFiles(studentDir, workDir);
  linkModulesIfOutside(workDir, options.projectRoot);
  const input = path.join(workDir, `${name}.ipynb`);
  writeNotebook(input, notebook);
  const executed = path.join(options.outDir, 'executed', student, `${name}.ipynb`);

  const result = await runNotebook({
    input,
    output: executed,
    cwd: workDir,
    cellTimeoutSeconds: options.cellTimeoutSeconds,
    notebookTimeoutSeconds: options.notebookTimeoutSeconds,
    continueOnError: true,
    maxOutputBytes: options.maxOutputBytes,
    kernelLog: path.join(workDir, 'kernel.log'),
    // Results a submission records stay in its working copy, never in the course's results/.
    env: { COURSE_PROFILE: options.profile, COURSE_RESULTS_DIR: path.join(workDir, 'results') },
  });
  const rows = checks.map((check): GradeRow => {
    const position = checkPositions.get(check.id);
    const cell = position === undefined ? undefined : result.cells[position];
    const passed = cell?.status === 'ok';
    return {
      student,
      notebook: name,
      check: check.name,
      points: passed ? check.points : 0,
      maxPoints: check.points,
      passed,
      error: passed ? null : (cell?.error ?? result.error ?? 'not run'),
    };
  });
  return {
    ...base,
    status: result.status,
    seconds: Math.round(result.seconds * 10) / 10,
    error: result.error,
    executed: fs.existsSync(executed) ? executed : null,
    rows,
  };
}

function zeroRows(student: string, notebook: string, checks: CheckSpec[], error: string): GradeRow[] {
  return checks.map((c) => ({ student, notebook, check: c.name, points: 0, maxPoints: c.points, passed: false, error }));
}

/** The student's folder, minus notebooks (only the graded one goes in), so relative data paths still work. */
function copyWorkingFiles(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !src.endsWith('.ipynb') && !path.basename(src).startsWith('.'),
  });
}

/** tslab resolves `@dl-course/lib` and `tslab` by walking up from the notebook; outside the project, link them. */
function linkModulesIfOutside(workDir: string, root: string): void {
  const relative = path.relative(root, workDir);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return;
  const link = path.join(workDir, 'node_modules');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(root, 'node_modules'), link, 'dir');
}

/**
 * Grades a folder of submissions, laid out as `<submissions>/<student>/<notebook>.ipynb`, against the instructor's
 * notebooks (`<source>/<notebook>.ipynb`).
 *
 * Submissions are data: only each regular `<notebook>.ipynb` is read (no symlinks, nothing else from the student's
 * folder), size-capped, hashed when collected and checked against that hash just before it runs. Each (student,
 * notebook) runs in its own sandbox (sandbox.ts); the instructor's notebook runs once per grading run in a clean
 * sandbox of its own, and its checks give the rules and reference data. Verdicts are decided here (judge.ts), from
 * plain data, and every report is written here, outside every sandbox.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CourseProfile } from '@dl-course/lib/config';
import { Notebook, NotebookCell, parseNotebook, readNotebook, writeNotebook } from '../notebook-file';
import { mapWithConcurrency } from '../pool';
import type { NotebookRunResult } from '../run-notebook';
import { selectShard, Shard } from '../shard';
import { assembleGradedNotebook, AssembledNotebook } from './assemble';
import { CheckSpec, listChecks } from './check-cells';
import { judgeCheck, probeOutcome, ReferenceCheck, referenceCheck } from './judge';
import {
  DEFAULT_SANDBOX_LIMITS,
  disposeSandbox,
  prepareSandbox,
  runSandboxed,
  SandboxJob,
  SandboxLimits,
  SandboxRun,
  SandboxSetup,
} from './sandbox';
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
  /** The project root: its lib/, node_modules/ and datasets/ are what sandboxes see of it. */
  projectRoot: string;
  /** Memory, processes and scratch size per sandbox (defaults: DEFAULT_SANDBOX_LIMITS). */
  limits?: Partial<Pick<SandboxLimits, 'memoryBytes' | 'processes' | 'scratchBytes'>>;
  /** Largest submitted notebook read (default 20 MiB). */
  maxSubmissionBytes?: number;
  /** This slice of the students only (`--shard i/n`); the notebooks graded are still decided from all students. */
  shard?: Shard;
  /** Run notebooks without bubblewrap (trusted notebooks only). */
  unsafe?: boolean;
  /** Runs one sandbox job; tests pass a stand-in. Default: bubblewrap, set up once for the run. */
  runner?: (job: SandboxJob) => Promise<SandboxRun>;
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

export type GradeStatus = NotebookRunResult['status'] | 'not-submitted' | 'unreadable' | 'rejected';

export interface NotebookGrade {
  student: string;
  notebook: string;
  status: GradeStatus;
  /** Wall time of the sandbox, by the grader's clock. */
  seconds: number;
  error: string | null;
  /** sha256 of the submitted file as collected (null when there was none). */
  sha256: string | null;
  /** The executed graded copy, for the instructor to look at. */
  executed: string | null;
  rows: GradeRow[];
}

/** What students may see of each check, per notebook: its source (null for hidden ones) and points. */
export type CheckCatalog = Record<string, { check: string; points: number; hidden: boolean; source: string | null }[]>;

export interface GradeRun {
  grades: NotebookGrade[];
  checks: CheckCatalog;
  /** Limits that this machine could not enforce, and other notes for the instructor. */
  notes: string[];
}

interface Assignment {
  name: string;
  instructor: Notebook;
  checks: CheckSpec[];
}

interface Collected {
  student: string;
  assignment: Assignment;
  file: string;
  /** Set when the submission is graded 0 without running (missing, not a regular file, too large). */
  refused: { status: GradeStatus; why: string } | null;
  sha256: string | null;
  /** The size cap it was collected under (a file swapped for a bigger one is not read whole). */
  maxBytes: number;
}

const STUDENT_NAME = /^[\w][\w.@+-]*$/;
export const DEFAULT_MAX_SUBMISSION_BYTES = 20 * 2 ** 20;

export async function gradeSubmissions(options: GradeOptions): Promise<GradeRun> {
  const log = options.log ?? (() => {});
  const allStudents = listStudents(options.submissionsDir);
  if (allStudents.length === 0) throw new Error(`${options.submissionsDir}: no student folders`);
  // Read every instructor notebook before any submission runs: later changes on disk cannot affect this run.
  const assignments = loadAssignments(options, allStudents);
  const students = options.shard ? selectShard(allStudents, options.shard) : allStudents;
  const maxBytes = options.maxSubmissionBytes ?? DEFAULT_MAX_SUBMISSION_BYTES;
  const collected = students.flatMap((student) => assignments.map((a) => collect(options.submissionsDir, student, a, maxBytes)));
  const limits: SandboxLimits = {
    ...DEFAULT_SANDBOX_LIMITS,
    ...options.limits,
    cellTimeoutSeconds: options.cellTimeoutSeconds,
    notebookTimeoutSeconds: options.notebookTimeoutSeconds,
    maxOutputBytes: options.maxOutputBytes,
  };
  const env = { COURSE_PROFILE: options.profile };
  const setup: SandboxSetup | null = options.runner ? null : prepareSandbox(options.projectRoot, options.unsafe === true);
  const run = options.runner ?? ((job: SandboxJob) => runSandboxed(setup as SandboxSetup, job));
  const notes = setup?.notes ?? [];
  notes.forEach((note) => log(`grade: ${note}`));
  const shardNote = options.shard ? ` (shard ${options.shard.index}/${options.shard.count} of ${allStudents.length})` : '';
  log(`grade: ${students.length} student(s)${shardNote} x ${assignments.length} notebook(s), ${options.jobs} at a time`);

  const references = new Map<string, Promise<Map<string, ReferenceCheck>>>();
  const referenceTasks = assignments.map((assignment) => {
    let settle: { resolve: (r: Map<string, ReferenceCheck>) => void; reject: (e: Error) => void } | undefined;
    const promise = new Promise<Map<string, ReferenceCheck>>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => {}); // reported where it is awaited
    references.set(assignment.name, promise);
    return { kind: 'reference' as const, assignment, settle: settle! };
  });
  const tasks = [...referenceTasks, ...collected.map((c) => ({ kind: 'student' as const, collected: c }))];
  // Once an instructor notebook fails, the grading stops: no more sandboxes are started.
  let stopped: Error | null = null;
  try {
    const results = await mapWithConcurrency(tasks, options.jobs, async (task) => {
      if (task.kind === 'reference') {
        try {
          task.settle.resolve(await runReference(task.assignment, run, limits, env, options.outDir, log));
        } catch (error) {
          stopped = error as Error;
          task.settle.reject(stopped);
        }
        return null;
      }
      if (stopped) throw stopped;
      const { student, assignment } = task.collected;
      const grade = await gradeOne(task.collected, run, limits, env, options.outDir, () => references.get(assignment.name)!);
      const earned = grade.rows.reduce((s, r) => s + r.points, 0);
      const max = grade.rows.reduce((s, r) => s + r.maxPoints, 0);
      log(`  ${student} / ${assignment.name}: ${earned}/${max} (${grade.status}, ${grade.seconds.toFixed(1)} s)`);
      return grade;
    });
    const grades = results.filter((g): g is NotebookGrade => g !== null);
    return { grades, checks: checkCatalog(assignments), notes };
  } finally {
    if (setup) disposeSandbox(setup);
  }
}

function checkCatalog(assignments: Assignment[]): CheckCatalog {
  return Object.fromEntries(
    assignments.map(({ name, instructor, checks }) => [
      name,
      checks.map((c) => ({
        check: c.name,
        points: c.points,
        hidden: c.hidden,
        source: visibleCheckSource(instructor.cells[c.index]!, `${name}: check ${c.name}`),
      })),
    ]),
  );
}

function listStudents(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    // A student is a real folder: a symlink to elsewhere is not followed.
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

/** Looks at one submitted file without following links; hashes it. Nothing else in the student's folder is read. */
function collect(dir: string, student: string, assignment: Assignment, maxBytes: number): Collected {
  const file = path.join(dir, student, `${assignment.name}.ipynb`);
  const base = { student, assignment, file, sha256: null, maxBytes };
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return { ...base, refused: { status: 'not-submitted', why: 'not submitted' } };
  }
  if (!stat.isFile()) return { ...base, refused: { status: 'rejected', why: 'the submission is not a regular file (a link or a folder): submit the notebook itself' } };
  if (stat.size > maxBytes) {
    return { ...base, refused: { status: 'rejected', why: `the notebook is ${stat.size} bytes, over the ${maxBytes}-byte limit: clear its outputs and submit again` } };
  }
  return { ...base, refused: null, sha256: sha256(readRegularFile(file, maxBytes)) };
}

/** A regular file's bytes, read through a descriptor opened without following a link, and at most `max` bytes. */
function readRegularFile(file: string, max: number): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > max) throw new Error(`over the ${max}-byte limit`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = fs.readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function zeroRows(student: string, notebook: string, checks: CheckSpec[], error: string): GradeRow[] {
  return checks.map((c) => ({ student, notebook, check: c.name, points: 0, maxPoints: c.points, passed: false, error }));
}

async function runReference(
  assignment: Assignment,
  run: (job: SandboxJob) => Promise<SandboxRun>,
  limits: SandboxLimits,
  env: Record<string, string>,
  outDir: string,
  log: (line: string) => void,
): Promise<Map<string, ReferenceCheck>> {
  const { name, instructor, checks } = assignment;
  const assembled = assembleGradedNotebook(instructor, checks, instructor);
  const result = await run(sandboxJob(assembled, limits, env));
  writeExecuted(path.join(outDir, 'reference', `${name}.ipynb`), assembled, result);
  const where = `${name} (the course's solution)`;
  if (!result.phase1) throw new Error(`${where}: ${result.problem ?? 'no result'}`);
  const references = new Map<string, ReferenceCheck>();
  for (const check of checks) {
    const { cell, report } = cellAt(result, assembled, check.id);
    references.set(check.id, referenceCheck(`${name}: check ${check.name}`, probeOutcome(cell), report?.error ?? result.problem));
  }
  log(`  reference / ${name}: the course's solution passes its ${checks.length} check(s) (${result.seconds.toFixed(1)} s)`);
  return references;
}

async function gradeOne(
  submission: Collected,
  run: (job: SandboxJob) => Promise<SandboxRun>,
  limits: SandboxLimits,
  env: Record<string, string>,
  outDir: string,
  reference: () => Promise<Map<string, ReferenceCheck>>,
): Promise<NotebookGrade> {
  const { student, assignment, file } = submission;
  const { name, instructor, checks } = assignment;
  const base = { student, notebook: name, seconds: 0, executed: null, sha256: submission.sha256 };
  if (submission.refused) {
    const { status, why } = submission.refused;
    return { ...base, status, error: why, rows: zeroRows(student, name, checks, why) };
  }
  let notebook: Notebook;
  try {
    const bytes = readRegularFile(file, submission.maxBytes);
    if (sha256(bytes) !== submission.sha256) {
      const why = `the submission changed on disk after it was collected (sha256 ${submission.sha256?.slice(0, 12)}…): not graded`;
      return { ...base, status: 'rejected', error: why, rows: zeroRows(student, name, checks, why) };
    }
    notebook = submittedNotebook(bytes, file);
  } catch (error) {
    const why = `unreadable submission: ${(error as Error).message}`;
    return { ...base, status: 'unreadable', error: why, rows: zeroRows(student, name, checks, why) };
  }
  const assembled = assembleGradedNotebook(instructor, checks, notebook);
  const result = await run(sandboxJob(assembled, limits, env));
  const executed = writeExecuted(path.join(outDir, 'executed', student, `${name}.ipynb`), assembled, result);
  const references = await reference();

  // Why cells did not run: the grader's own finding, else what the driver said before any hidden check went in.
  const phase1 = result.phase1;
  const stopped = phase1 && (phase1.status === 'timeout' || phase1.status === 'kernel-died' || phase1.status === 'error');
  const notRun = result.problem ?? (stopped ? phase1.error : null);
  const rows = checks.map((check): GradeRow => {
    const { cell, report } = cellAt(result, assembled, check.id);
    const verdict = judgeCheck(check, references.get(check.id)!, probeOutcome(cell), {
      notRun,
      cellError: check.hidden ? null : (report?.error ?? null),
      missingAnchor: assembled.missingAnchors.get(check.id) ?? null,
    });
    return { student, notebook: name, check: check.name, points: verdict.passed ? check.points : 0, maxPoints: check.points, ...verdict };
  });
  const status: GradeStatus = result.timedOut ? 'timeout' : !phase1 ? 'error' : (phase1.status ?? 'error');
  return {
    ...base,
    status: status === 'ok' && rows.some((r) => !r.passed) ? 'failed' : status,
    seconds: Math.round(result.seconds * 10) / 10,
    error: result.problem ?? phase1?.error ?? null,
    executed,
    rows,
  };
}

function sandboxJob(assembled: AssembledNotebook, limits: SandboxLimits, env: Record<string, string>): SandboxJob {
  return { notebook: assembled.notebook, phase2: assembled.hidden, limits, env };
}

/** The executed cell of a check and the driver's report on it (untrusted data). */
function cellAt(result: SandboxRun, assembled: AssembledNotebook, id: string): { cell: unknown; report: { error?: string } | undefined } {
  const position = assembled.checkPositions.get(id);
  const phase = position?.phase === 2 ? result.phase2 : result.phase1;
  if (!position || !phase) return { cell: undefined, report: undefined };
  const offset = position.phase === 2 ? assembled.notebook.cells.length : 0;
  const report = phase.report.find((r) => r && r.index === position.index + offset);
  return { cell: phase.cells[position.index], report: report && typeof report.error === 'string' ? { error: report.error.slice(0, 500) } : undefined };
}

/** The submission's notebook; cells that are not code, markdown or raw cells are left out. */
function submittedNotebook(bytes: Buffer, file: string): Notebook {
  const nb = parseNotebook(bytes.toString('utf8'), file);
  const known = (c: unknown) => !!c && typeof c === 'object' && ['code', 'markdown', 'raw'].includes((c as NotebookCell).cell_type);
  return { ...nb, cells: nb.cells.filter(known) };
}

/** The graded notebook as it ran (both phases), for the instructor; null when the driver sent nothing. */
function writeExecuted(file: string, assembled: AssembledNotebook, result: SandboxRun): string | null {
  if (!result.phase1) return null;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  writeNotebook(file, { ...assembled.notebook, cells: [...result.phase1.cells, ...(result.phase2?.cells ?? [])] });
  if (result.kernelLog) fs.writeFileSync(file.replace(/\.ipynb$/, '.kernel.log'), result.kernelLog);
  return file;
}

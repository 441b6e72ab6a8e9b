/**
 * Grades the hostile-submission suite (test/fixtures/grading) in one run, end to end: bubblewrap sandboxes, real
 * tslab kernels, two at a time. Every submission must score exactly what its honest work deserves, no file outside
 * the grading output may change, no process may outlive the run, and the run must stay within its limits.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addRuntimeAttacks, EXPECTED_POINTS, HIDDEN_MARKER } from '../fixtures/grading/build-fixtures';
import { writeGradeReports } from '../../scripts/tooling/grading/grade-report';
import { GradeRun, gradeSubmissions } from '../../scripts/tooling/grading/grade-submissions';
import { bwrapProblem, sandboxCgroupsLeft } from '../../scripts/tooling/grading/sandbox';
import { readNotebook } from '../../scripts/tooling/notebook-file';
import { requireJupyter, ROOT, scratchDir } from './helpers';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'grading');
const SOURCE = path.join(FIXTURES, 'source');
const CELL_TIMEOUT = 20;
const NOTEBOOK_TIMEOUT = 60;
/** What every detached attack process carries on its command line (or the sleep it runs). */
const ATTACK_PROCESS = /dl-course-attack-marker|sleep\u0000987/;

/** Every file under the folders, by path: its bytes' hash, or its link target. */
function snapshot(dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) files.set(p, `-> ${fs.readlinkSync(p)}`);
      else if (entry.isDirectory()) walk(p);
      else files.set(p, crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  dirs.forEach(walk);
  return files;
}

function attackProcesses(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ATTACK_PROCESS.test(cmdline)) found.push(`${pid}: ${cmdline.replace(/\u0000/g, ' ').slice(0, 80)}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

describe('grading the hostile-submission suite (bubblewrap sandboxes, tslab kernels)', function () {
  this.timeout(600_000);
  let run: GradeRun;
  let outDir: string;
  let submissions: string;
  let seconds: number;
  let snapshotBefore: Map<string, string>;
  let written: string;
  let canary: string;

  before(async function () {
    requireJupyter(this);
    const problem = bwrapProblem();
    if (problem) {
      if (process.env.CI === 'true') throw new Error(problem);
      console.log(`      skipped: ${problem}`);
      this.skip();
    }
    const scratch = scratchDir('grading');
    outDir = path.join(scratch, 'out');
    submissions = path.join(scratch, 'submissions');
    fs.cpSync(path.join(FIXTURES, 'submissions'), submissions, { recursive: true });
    addRuntimeAttacks(submissions, path.join(SOURCE, 'exercise.ipynb'));
    canary = path.join(scratch, 'canary');
    fs.mkdirSync(canary);
    fs.writeFileSync(path.join(canary, 'grades.json'), '{"beside": "the grading output"}\n');
    snapshotBefore = snapshot([submissions, SOURCE, canary]);
    const started = Date.now();
    run = await gradeSubmissions({
      submissionsDir: submissions,
      sourceDir: SOURCE,
      outDir,
      profile: 'smoke',
      cellTimeoutSeconds: CELL_TIMEOUT,
      notebookTimeoutSeconds: NOTEBOOK_TIMEOUT,
      maxOutputBytes: 64 * 1024,
      jobs: 2,
      projectRoot: ROOT,
      limits: { memoryBytes: 1536 * 2 ** 20, processes: 128 },
    });
    seconds = (Date.now() - started) / 1000;
    written = writeGradeReports(outDir, run).json;
    // Give anything that escaped a moment to do its damage before the checks below look.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  const pointsOf = (student: string) =>
    run.grades.filter((g) => g.student === student).flatMap((g) => g.rows).reduce((s, r) => s + r.points, 0);
  const row = (student: string, check: string) =>
    run.grades.flatMap((g) => g.rows).find((r) => r.student === student && r.check === check);

  for (const [student, expected] of Object.entries(EXPECTED_POINTS)) {
    it(`gives '${student}' ${expected}/5`, () => {
      const rows = run.grades.filter((g) => g.student === student).flatMap((g) => g.rows);
      assert.equal(pointsOf(student), expected, JSON.stringify(rows.map((r) => [r.check, r.error])));
    });
  }

  it('restores a deleted check and ignores an edited one, with the instructor\'s words', () => {
    assert.match(row('deleted-check', 'relu-check')?.error ?? '', /relu\(-2\) should be 0/);
    assert.match(row('edited-check', 'relu-check')?.error ?? '', /relu\(-2\) should be 0/);
  });

  it('scores hangs and kernel deaths and says why', () => {
    assert.match(row('infinite-loop', 'mean-check')?.error ?? '', /cell time limit/);
    assert.match(row('infinite-loop', 'hidden-check')?.error ?? '', /hidden check not run/);
    assert.equal(run.grades.find((g) => g.student === 'kernel-exit')?.status, 'kernel-died');
  });

  it('reads submissions as data: unreadable, missing, linked and shipped files', () => {
    assert.match(row('broken-json', 'relu-check')?.error ?? '', /unreadable submission/);
    assert.equal(row('no-submission', 'relu-check')?.error, 'not submitted');
    assert.match(row('link-to-solution', 'relu-check')?.error ?? '', /not a regular file/);
    for (const g of run.grades.filter((g) => g.sha256)) assert.match(g.sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it('keeps hidden checks hidden: no source, no raw error, the instructor\'s message only', () => {
    for (const file of fs.readdirSync(path.join(outDir, 'feedback'))) {
      const page = fs.readFileSync(path.join(outDir, 'feedback', file), 'utf8');
      assert.ok(!page.includes(HIDDEN_MARKER), `${file} shows the hidden check's source`);
    }
    assert.ok(!fs.readFileSync(path.join(outDir, 'grades.csv'), 'utf8').includes(HIDDEN_MARKER));
    assert.match(row('wrong', 'hidden-check')?.error ?? '', /^hidden check failed: mean is wrong for other lists$/);
    assert.match(row('leak-hidden', 'mean-check')?.error ?? '', /leak: ?$/, 'the visible check ran before any hidden code was there to see');
  });

  it('changes no file outside the grading output and leaves the reports as written', () => {
    assert.deepEqual(snapshot([submissions, SOURCE, canary]), snapshotBefore);
    assert.doesNotThrow(() => JSON.parse(fs.readFileSync(written, 'utf8')));
    const executed = run.grades.filter((g) => g.executed).map((g) => g.executed as string);
    assert.ok(executed.length >= 15);
    for (const file of executed) assert.ok(fs.existsSync(file), `${file} was deleted`);
    assert.equal(readNotebook(path.join(submissions, 'correct', 'exercise.ipynb')).cells.length > 3, true);
  });

  it('leaves no process behind', () => {
    assert.deepEqual(attackProcesses(), []);
    assert.deepEqual(sandboxCgroupsLeft(), [], 'every sandbox cgroup is gone');
  });

  it('stays within its limits', () => {
    // 24 submissions, 2 at a time: the hangs cost one cell limit each, the rest a few seconds each.
    assert.ok(seconds < 400, `grading took ${seconds.toFixed(1)} s`);
    for (const g of run.grades) assert.ok(g.seconds <= NOTEBOOK_TIMEOUT + 25, `${g.student} took ${g.seconds} s`);
    const executed = run.grades.find((g) => g.student === 'huge-output')?.executed;
    assert.ok(executed && fs.statSync(executed).size < 256 * 1024, 'the executed copy stays small');
    assert.match(JSON.stringify(readNotebook(executed).cells.map((c) => c.outputs)), /output truncated/);
  });

  it('runs submissions in the smoke profile with results kept in the sandbox', () => {
    const executed = run.grades.find((g) => g.student === 'correct')?.executed;
    assert.ok(executed);
    const printed = JSON.stringify(readNotebook(executed).cells.map((c) => c.outputs));
    assert.ok(printed.includes('smoke /course/work/results'), printed.slice(0, 500));
  });

  it('writes grades.csv, grades.json and a feedback page per student', () => {
    const csv = fs.readFileSync(path.join(outDir, 'grades.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'student,notebook,check,points,max_points,passed,error');
    assert.equal(csv.length, 1 + 3 * Object.keys(EXPECTED_POINTS).length);
    assert.ok(csv.includes('correct,exercise,hidden-check,2,2,true,'));
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'grades.json'), 'utf8'));
    assert.deepEqual(
      Object.fromEntries(json.totals.map((t: { student: string; points: number }) => [t.student, t.points])),
      Object.fromEntries(Object.keys(EXPECTED_POINTS).sort().map((s) => [s, EXPECTED_POINTS[s]])),
    );
    const page = fs.readFileSync(path.join(outDir, 'feedback', 'wrong.html'), 'utf8');
    assert.match(page, /Feedback for wrong: 2 \/ 5 points/);
    assert.match(page, /mean\(\[1, 2, 3\]\) should be 2 \(mean: expected 2, got 6\)/);
    assert.match(page, /Check <code>mean-check<\/code>/, 'visible checks show their code');
  });
});

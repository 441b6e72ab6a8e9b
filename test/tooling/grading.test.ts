/**
 * Grades the fixture submissions (test/fixtures/grading) end to end with real tslab kernels: each must get its
 * expected score, and the whole run must stay within its time limits.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXPECTED_POINTS } from '../fixtures/grading/build-fixtures';
import { writeGradeReports } from '../../scripts/tooling/grading/grade-report';
import { gradeSubmissions, NotebookGrade } from '../../scripts/tooling/grading/grade-submissions';
import { readNotebook } from '../../scripts/tooling/notebook-file';
import { requireJupyter, ROOT, scratchDir } from './helpers';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'grading');
const CELL_TIMEOUT = 5;
const NOTEBOOK_TIMEOUT = 40;

describe('grading the fixture submissions (tslab kernels)', function () {
  this.timeout(150_000);
  let grades: NotebookGrade[];
  let outDir: string;
  let seconds: number;

  before(async function () {
    requireJupyter(this);
    outDir = scratchDir('grading');
    const started = Date.now();
    grades = await gradeSubmissions({
      submissionsDir: path.join(FIXTURES, 'submissions'),
      sourceDir: path.join(FIXTURES, 'source'),
      outDir,
      profile: 'smoke',
      cellTimeoutSeconds: CELL_TIMEOUT,
      notebookTimeoutSeconds: NOTEBOOK_TIMEOUT,
      maxOutputBytes: 64 * 1024,
      jobs: 2,
      projectRoot: ROOT,
    });
    seconds = (Date.now() - started) / 1000;
    writeGradeReports(outDir, grades);
  });

  const pointsOf = (student: string) =>
    grades.filter((g) => g.student === student).flatMap((g) => g.rows).reduce((s, r) => s + r.points, 0);
  const row = (student: string, check: string) =>
    grades.flatMap((g) => g.rows).find((r) => r.student === student && r.check === check);

  for (const [student, expected] of Object.entries(EXPECTED_POINTS)) {
    it(`gives '${student}' ${expected}/5`, () => assert.equal(pointsOf(student), expected));
  }

  it('restores a deleted check and ignores an edited one', () => {
    assert.match(row('deleted-check', 'relu-check')?.error ?? '', /relu\(-2\) should be 0/);
    assert.match(row('edited-check', 'relu-check')?.error ?? '', /relu\(-2\) should be 0/);
  });

  it('scores hangs and kernel deaths and says why', () => {
    assert.match(row('infinite-loop', 'mean-check')?.error ?? '', /cell time limit/);
    assert.match(row('infinite-loop', 'hidden-check')?.error ?? '', /not run/);
    assert.equal(grades.find((g) => g.student === 'kernel-exit')?.status, 'kernel-died');
    assert.match(row('kernel-exit', 'mean-check')?.error ?? '', /kernel died/);
  });

  it('scores unreadable and missing notebooks 0 with the reason', () => {
    assert.match(row('broken-json', 'relu-check')?.error ?? '', /unreadable submission/);
    assert.equal(row('no-submission', 'relu-check')?.error, 'not submitted');
  });

  it('truncates huge output in the executed copy', () => {
    const executed = grades.find((g) => g.student === 'huge-output')?.executed;
    assert.ok(executed);
    assert.ok(fs.statSync(executed).size < 256 * 1024, 'the executed copy stays small');
    const text = JSON.stringify(readNotebook(executed).cells[1]?.outputs);
    assert.match(text, /output truncated/);
  });

  it('finishes within its limits', () => {
    // 7 submissions, 2 at a time: the hang costs one cell limit, the rest a few seconds each (~40 s on 2 cores).
    assert.ok(seconds < 110, `grading took ${seconds.toFixed(1)} s`);
    for (const g of grades) assert.ok(g.seconds < NOTEBOOK_TIMEOUT, `${g.student} took ${g.seconds} s`);
  });

  it('writes grades.csv, grades.json and a feedback page per student', () => {
    const csv = fs.readFileSync(path.join(outDir, 'grades.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'student,notebook,check,points,max_points,passed,error');
    assert.equal(csv.length, 1 + 3 * Object.keys(EXPECTED_POINTS).length);
    assert.ok(csv.includes('correct,exercise,hidden-check,2,2,true,'));
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'grades.json'), 'utf8'));
    assert.deepEqual(
      Object.fromEntries(json.totals.map((t: { student: string; points: number }) => [t.student, t.points])),
      EXPECTED_POINTS,
    );
    const page = fs.readFileSync(path.join(outDir, 'feedback', 'wrong.html'), 'utf8');
    assert.match(page, /Feedback for wrong: 2 \/ 5 points/);
    assert.match(page, /mean\(\[1, 2, 3\]\) should be 2, got 6/);
    assert.match(page, /Check <code>mean-check<\/code>/, 'visible checks show their code');
    assert.doesNotMatch(page, /mean\(\[2, 4\]\)/, 'hidden checks do not');
  });

  it('runs submissions in the smoke profile with results kept in their working copy', () => {
    const executed = grades.find((g) => g.student === 'correct')?.executed;
    assert.ok(executed);
    const last = readNotebook(executed).cells.at(-1);
    const printed = JSON.stringify(last?.outputs);
    assert.ok(printed.includes(`smoke ${path.join(outDir, 'work', 'correct', 'exercise', 'results')}`), printed);
  });
});

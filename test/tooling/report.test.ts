/** The reporter notebooks use: profiles, recorded values, and the results file it writes. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { courseProfile, parseCourseProfile, profileValue, projectRoot } from '../../lib/src/config';
import { earlierResults, readRunResults, startRun } from '../../lib/src/report';
import { formatResultValue, resultsMarkdown } from '../../scripts/tooling/results-markdown';
import { ROOT } from './helpers';

describe('report: profiles and results files', () => {
  const saved = { profile: process.env.COURSE_PROFILE, dir: process.env.COURSE_RESULTS_DIR };
  afterEach(() => {
    for (const [key, value] of [['COURSE_PROFILE', saved.profile], ['COURSE_RESULTS_DIR', saved.dir]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('reads COURSE_PROFILE, defaults to full, and rejects other values clearly', () => {
    delete process.env.COURSE_PROFILE;
    assert.equal(courseProfile(), 'full');
    process.env.COURSE_PROFILE = 'smoke';
    assert.equal(courseProfile(), 'smoke');
    assert.equal(profileValue({ smoke: 200, full: 5000 }), 200);
    assert.equal(profileValue({ smoke: 200, full: 5000 }, 'full'), 5000);
    process.env.COURSE_PROFILE = 'fast';
    assert.throws(() => courseProfile(), /COURSE_PROFILE='fast' is not a course profile; use one of: smoke, full/);
    assert.equal(parseCourseProfile(''), 'full');
  });

  it('finds the project root from a nested folder', () => {
    assert.equal(projectRoot(path.join(ROOT, 'lib', 'src', 'report')), ROOT);
    assert.throws(() => projectRoot(os.tmpdir()), /No course project root/);
  });

  it('writes results/<profile>/<notebook>.json with values, timing, machine and versions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-results-'));
    process.env.COURSE_RESULTS_DIR = dir;
    const run = startRun('01-mlp', { profile: 'smoke' });
    run.record('spirals.valAccuracy', 0.981);
    run.recordAll({ 'spirals.epochs': 12, 'mnist.perClass': [0.9, 0.95] });
    await run.time('train.seconds', () => new Promise((r) => setTimeout(r, 20)));
    const file = run.save();
    assert.equal(file, path.join(dir, 'smoke', '01-mlp.json'));
    const saved = readRunResults(file);
    assert.equal(saved.notebook, '01-mlp');
    assert.equal(saved.profile, 'smoke');
    assert.deepEqual(Object.keys(saved.values), ['spirals.valAccuracy', 'spirals.epochs', 'mnist.perClass', 'train.seconds']);
    assert.ok((saved.values['train.seconds'] as number) >= 0.015);
    assert.ok(saved.wallSeconds >= 0.015);
    assert.equal(saved.machine.cpus, os.cpus().length);
    assert.equal(saved.versions.node, process.version);
    assert.match(saved.versions.tfjs, /^4\./);
    assert.ok(!Number.isNaN(Date.parse(saved.date)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds an earlier lesson\'s results: the last run of the profile first, then the committed reference', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-earlier-'));
    process.env.COURSE_RESULTS_DIR = dir;
    const reference = earlierResults('02-cnn', { profile: 'smoke' });
    assert.equal(reference?.source, 'reference');
    assert.equal(reference?.results.profile, 'full');
    const run = startRun('02-cnn', { profile: 'smoke' });
    run.record('mnist.cnn.testAccuracy', 0.5);
    run.save();
    const last = earlierResults('02-cnn', { profile: 'smoke' });
    assert.equal(last?.source, 'last run');
    assert.equal(last?.results.values['mnist.cnn.testAccuracy'], 0.5);
    assert.equal(earlierResults('99-none', { profile: 'smoke' }), undefined);
    assert.throws(() => earlierResults('../02-cnn'), /not a notebook name/);
  });

  it('refuses values that would make a misleading results file', () => {
    const run = startRun('x', { profile: 'smoke', resultsDir: os.tmpdir() });
    assert.throws(() => run.record('acc', Number.NaN), /only finite numbers/);
    assert.throws(() => run.record('a b', 1), /not a result key/);
    assert.throws(() => startRun('../escape'), /not a notebook name/);
  });

  it('renders docs/results.md from result files', () => {
    const run = startRun('02-cnn', { profile: 'full', resultsDir: os.tmpdir() });
    run.record('mnist.testAccuracy', 0.987654);
    run.record('mnist.epochs', 3);
    const markdown = resultsMarkdown([run.snapshot()], 'results/reference/full');
    assert.match(markdown, /\| \[02-cnn\]\(#02-cnn\) \|/);
    assert.match(markdown, /\| mnist.testAccuracy \| 0.9877 \|/);
    assert.match(markdown, /\| mnist.epochs \| 3 \|/);
    assert.equal(formatResultValue([1, 2]), '[1,2]');
    run.record('versions', { node: 'v20', lib: { name: 'x' } });
    assert.match(resultsMarkdown([run.snapshot()], 'results/reference/full'), /\| versions\.lib\.name \| x \|/);
    assert.match(resultsMarkdown([], 'results/reference/full'), /No reference results yet/);
    assert.match(resultsMarkdown([], 'results/smoke'), /No results yet/);
  });
});

/** Runs never touch the committed reference results; only the instructor's promotion writes them. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRun } from '../../lib/src/report';
import { promoteResults, referenceResultsPage, resultFilesIn } from '../../scripts/tooling/reference-results';
import { ROOT } from './helpers';

function runScript(script: string, args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000, // tsx start-up takes tens of seconds on a busy machine
  });
}

describe('reference results: learners never write them, instructors promote them', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-results-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A saved results file of `profile` under `<scratch>/runs`. */
  function savedRun(notebook: string, profile: 'smoke' | 'full', value: number): string {
    const run = startRun(notebook, { profile, resultsDir: path.join(scratch, 'runs') });
    run.record('accuracy', value);
    return run.save();
  }

  it("a run's default results folder is git-ignored; the reference folder is not", function () {
    const git = spawnSync('git', ['check-ignore', '--no-index', 'results/full/01-mlp.json', 'results/smoke/01-mlp.json', 'results/reference/full/01-mlp.json'], { cwd: ROOT, encoding: 'utf8' });
    if (git.error) this.skip(); // no git here
    assert.deepEqual(git.stdout.trim().split('\n'), ['results/full/01-mlp.json', 'results/smoke/01-mlp.json']);
    const saved = process.env.COURSE_RESULTS_DIR;
    delete process.env.COURSE_RESULTS_DIR;
    try {
      assert.equal(startRun('01-mlp', { profile: 'full' }).filePath(), path.join(ROOT, 'results', 'full', '01-mlp.json'));
    } finally {
      if (saved !== undefined) process.env.COURSE_RESULTS_DIR = saved;
    }
  });

  it('promotes full-profile results into results/reference/full and tabulates them', () => {
    const file = savedRun('02-cnn', 'full', 0.99);
    const written = promoteResults(resultFilesIn([path.dirname(file)]), 'full', scratch);
    assert.deepEqual(written, [path.join(scratch, 'results', 'reference', 'full', '02-cnn.json')]);
    assert.deepEqual(JSON.parse(fs.readFileSync(written[0], 'utf8')), JSON.parse(fs.readFileSync(file, 'utf8')));
    const page = referenceResultsPage(scratch);
    assert.match(page, /from `results\/reference\/full\/\*\.json`/);
    assert.match(page, /\| accuracy \| 0\.99 \|/);
  });

  it('refuses smoke results and missing paths, writing nothing', () => {
    const full = savedRun('01-mlp', 'full', 0.9);
    const smoke = savedRun('00-setup', 'smoke', 0.5);
    assert.throws(() => promoteResults([full, smoke], 'full', scratch), /recorded in the smoke profile, not full/);
    assert.equal(fs.existsSync(path.join(scratch, 'results', 'reference', 'full', '01-mlp.json')), false);
    assert.throws(() => resultFilesIn([path.join(scratch, 'nowhere')]), /no such file or folder/);
    fs.mkdirSync(path.join(scratch, 'empty'));
    assert.throws(() => resultFilesIn([path.join(scratch, 'empty')]), /no results files/);
  });

  it('the command lines refuse to make a smoke run the reference', function () {
    this.timeout(240_000);
    const promote = runScript('results.ts', ['--promote', savedRun('01-mlp', 'smoke', 0.5)]);
    assert.equal(promote.status, 2, promote.stdout + promote.stderr);
    assert.match(promote.stderr, /recorded in the smoke profile, not full/);
    const execute = runScript('execute.ts', ['notebooks/01-mlp.ipynb', '--profile', 'smoke', '--record-reference']);
    assert.equal(execute.status, 2, execute.stdout + execute.stderr);
    assert.match(execute.stderr, /--record-reference records full-profile runs; this run's profile is smoke/);
  });
});

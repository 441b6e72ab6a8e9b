/** `npm run execute`, `npm run student` and `npm run handouts` as a user runs them (subprocesses, real kernels). */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNotebook } from '../../scripts/tooling/notebook-file';
import { codeCell, markdownCell, requireJupyter, ROOT, scratchDir, writeTslabNotebook } from './helpers';

function runScript(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('execute / student / handouts command lines', function () {
  this.timeout(150_000);
  let dir: string;

  before(function () {
    requireJupyter(this);
    dir = scratchDir('execute-cli');
    fs.mkdirSync(path.join(dir, 'src'));
    writeTslabNotebook(path.join(dir, 'src', '01-good.ipynb'), [
      markdownCell('# A good notebook'),
      codeCell('console.log(`profile=${process.env.COURSE_PROFILE}`);'),
    ]);
    writeTslabNotebook(path.join(dir, 'src', '02-bad.ipynb'), [
      codeCell('const a = 1;'),
      codeCell("throw new RangeError('the learning rate is negative');"),
      codeCell("console.log('never printed');"),
    ]);
  });

  it('executes a folder in parallel into an output folder, with a summary table and a failing exit code', () => {
    const out = path.join(dir, 'executed');
    const run = runScript('execute.ts', [path.join(dir, 'src'), '-o', out, '--profile', 'smoke', '--jobs', '2', '--cell-timeout', '30']);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /notebook\s+status\s+time\s+failing cell\s+error/);
    assert.match(run.stdout, /01-good\.ipynb\s+ok\s+[\d.]+ s/);
    // the failing cell as Jupyter shows it (its In [n]), not its index among all cells
    assert.match(run.stdout, /02-bad\.ipynb\s+failed\s+[\d.]+ s\s+In \[2\]\s+RangeError: the learning rate is negative/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.results.map((r: { status: string }) => r.status), ['ok', 'failed']);
    const executed = readNotebook(path.join(out, '01-good.ipynb'));
    assert.match(JSON.stringify(executed.cells[1]?.outputs), /profile=smoke/);
    const source = readNotebook(path.join(dir, 'src', '01-good.ipynb'));
    assert.deepEqual(source.cells[1]?.outputs, [], 'the source notebook is untouched');
  });

  it('stops a notebook at its notebook time limit even when each cell is within the cell limit', () => {
    const slow = writeTslabNotebook(path.join(dir, 'slow', '03-slow.ipynb'), [
      codeCell('await new Promise((resolve) => setTimeout(resolve, 3000));'),
      codeCell('await new Promise((resolve) => setTimeout(resolve, 3000));'),
      codeCell('await new Promise((resolve) => setTimeout(resolve, 3000));'),
    ]);
    const started = Date.now();
    const run = runScript('execute.ts', [slow, '-o', path.join(dir, 'slow-out'), '--cell-timeout', '60', '--timeout', '5']);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    // The limit covers the whole run, kernel start included, so which cell hits it depends on the machine.
    // (on a busy machine the kernel's start can use up the 5 s: then no cell runs, and that is a timeout too)
    assert.match(
      run.stdout,
      /03-slow\.ipynb\s+timeout\s+[\d.]+ s\s+(In \[\d\]|code cell \d)\s+(exceeded the notebook time limit \(5 s\)|not run: the notebook time limit \(5 s\) was reached)/,
    );
    assert.ok(Date.now() - started < 40_000, 'stopped near the limit');
  });

  it('lists one shard of the notebooks', () => {
    const run = runScript('execute.ts', [path.join(dir, 'src'), '--shard', '1/2', '--list']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n').map((l) => path.basename(l)), ['02-bad.ipynb']);
    assert.equal(runScript('execute.ts', ['--shard', '2/2']).status, 2);
  });

  it('exports handouts with an index from executed notebooks', () => {
    const run = runScript('handouts.ts', [path.join(dir, 'executed'), '-o', path.join(dir, 'handouts')]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const index = fs.readFileSync(path.join(dir, 'handouts', 'index.html'), 'utf8');
    assert.ok(index.indexOf('01-good.html') < index.indexOf('02-bad.html'), 'course order');
    assert.match(index, />A good notebook</);
  });

  it('writes student versions of instructor notebooks', () => {
    const out = path.join(dir, 'student');
    const run = runScript('student.ts', [path.join(ROOT, 'test', 'fixtures', 'grading', 'source', 'exercise.ipynb'), '-o', out]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /2 solution region\(s\) stubbed, 3 check\(s\) worth 5 point\(s\), 1 hidden/);
    const text = fs.readFileSync(path.join(out, 'exercise.ipynb'), 'utf8');
    assert.match(text, /not implemented/);
    assert.doesNotMatch(text, /Math\.max\(0, x\)|hidden cases/);
  });
});

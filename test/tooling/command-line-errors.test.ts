/** What the course's commands say to a wrong command line: the mistake, once, and what to do (subprocesses). */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertExecuted, isUnexecuted } from '../../scripts/tooling/unexecuted-notebooks';
import { codeCell, markdownCell, ROOT, scratchDir, writeTslabNotebook } from './helpers';

function runScript(script: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('command lines: wrong arguments get one clear message', function () {
  this.timeout(150_000);
  let dir: string;
  before(() => {
    dir = scratchDir('command-line-errors');
  });

  for (const script of ['execute.ts', 'handouts.ts', 'student.ts', 'datasets.ts', 'grade.ts']) {
    it(`${script}: an unknown option prints the mistake and the usage, exit 2`, () => {
      const run = runScript(script, ['--no-such-option', 'x']);
      assert.equal(run.status, 2, run.output);
      assert.match(run.output, /Unknown option '--no-such-option'/);
      assert.match(run.output, /usage: npm run /i);
    });
  }

  it('datasets --from a missing folder says so once', () => {
    const missing = path.join(dir, 'no-such-folder');
    const run = runScript('datasets.ts', ['--from', missing, '--dir', path.join(dir, 'data')]);
    assert.equal(run.status, 2, run.output);
    assert.equal(run.output.trim(), `datasets: --from ${missing}: no such folder`);
  });

  it('grade -s a missing folder says "no such folder", not that no notebook matched', () => {
    fs.mkdirSync(path.join(dir, 'submissions', 'alice'), { recursive: true });
    const missing = path.join(dir, 'no-such-source');
    const run = runScript('grade.ts', [path.join(dir, 'submissions'), '-s', missing, '-o', path.join(dir, 'grading')]);
    assert.equal(run.status, 2, run.output);
    assert.equal(run.output.trim(), `grade: --source ${missing}: no such folder`);
  });

  it('handouts refuses notebooks that never ran and leaves the existing handouts alone', () => {
    const sources = path.join(dir, 'sources');
    const lesson = writeTslabNotebook(path.join(sources, '01-lesson.ipynb'), [markdownCell('# Lesson'), codeCell('console.log(1);')]);
    const out = path.join(dir, 'handouts');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, '01-lesson.html'), 'a good handout');
    const run = runScript('handouts.ts', [sources, '-o', out]);
    assert.equal(run.status, 2, run.output);
    assert.match(run.output, /01-lesson\.ipynb has never been executed \(no code cell has run\), so its handout would show no outputs; no handout was written/);
    assert.match(run.output, /npm run execute -- \S*01-lesson\.ipynb && npm run handouts/);
    assert.equal(fs.readFileSync(path.join(out, '01-lesson.html'), 'utf8'), 'a good handout');
    assert.equal(isUnexecuted(lesson), true);
  });

  it('a notebook counts as executed once any code cell ran; one of only Markdown is fine', () => {
    const ran = writeTslabNotebook(path.join(dir, 'ran.ipynb'), [codeCell('1'), codeCell('2')]);
    const nb = JSON.parse(fs.readFileSync(ran, 'utf8'));
    nb.cells[0].execution_count = 1;
    fs.writeFileSync(ran, JSON.stringify(nb));
    const prose = writeTslabNotebook(path.join(dir, 'prose.ipynb'), [markdownCell('# Only words')]);
    assert.equal(isUnexecuted(ran), false);
    assert.equal(isUnexecuted(prose), false);
    assert.doesNotThrow(() => assertExecuted([ran, prose]));
  });
});

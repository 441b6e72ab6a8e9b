/** `npm run execute` while notebooks run: progress lines, and the failing cell named as Jupyter shows it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jupyterCellLabel, notebookProgress } from '../../scripts/tooling/execute-notebooks';
import { CellStart, runNotebook } from '../../scripts/tooling/run-notebook';
import { codeCell, markdownCell, requireJupyter, scratchDir, writeTslabNotebook } from './helpers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('execute: progress and failing-cell names', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = scratchDir('execute-progress');
  });

  it('prints a line as a cell starts (throttled) and one while a cell runs long', async () => {
    const lines: string[] = [];
    const progress = notebookProgress('01-mlp.ipynb', (line) => lines.push(line), { everyMs: 0, stillRunningEveryMs: 200 });
    progress.cellStarted({ index: 1, codeCell: 1, codeCells: 3 });
    progress.cellStarted({ index: 3, codeCell: 2, codeCells: 3 });
    await sleep(450);
    progress.stop();
    assert.match(lines[0]!, /^ {2}01-mlp\.ipynb: code cell 1\/3 \(0 s in\)$/);
    assert.match(lines[1]!, /^ {2}01-mlp\.ipynb: code cell 2\/3 \(0 s in\)$/);
    assert.ok(lines.slice(2).some((l) => /01-mlp\.ipynb: still running code cell 2\/3 \(0 s so far, 0 s in all\)/.test(l)), lines.join('\n'));
    const count = lines.length;
    await sleep(300);
    assert.equal(lines.length, count, 'nothing after stop');
  });

  it('throttles cell lines: quick cells in a row print nothing', () => {
    const lines: string[] = [];
    const progress = notebookProgress('00-setup.ipynb', (line) => lines.push(line));
    for (let k = 1; k <= 5; k++) progress.cellStarted({ index: k, codeCell: k, codeCells: 5 });
    progress.stop();
    assert.deepEqual(lines, []);
  });

  it('names a failing cell by its In [n], or by its number among code cells when it never got one', () => {
    const file = writeTslabNotebook(path.join(dir, 'labels.ipynb'), [markdownCell('# t'), codeCell('1'), markdownCell('x'), codeCell('2'), codeCell('3')]);
    const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
    nb.cells[3].execution_count = 7;
    fs.writeFileSync(file, JSON.stringify(nb));
    assert.equal(jupyterCellLabel(file, 3), 'In [7]');
    assert.equal(jupyterCellLabel(file, 4), 'code cell 3');
    assert.equal(jupyterCellLabel(file, 2), 'cell 3');
  });

  it('the driver reports each code cell as it starts, numbered among code cells', async function () {
    requireJupyter(this);
    this.timeout(300_000); // a kernel start on a busy machine
    const source = writeTslabNotebook(path.join(dir, 'progress.ipynb'), [
      markdownCell('# Progress'),
      codeCell('const a: number = 1;'),
      codeCell(''),
      markdownCell('more'),
      codeCell('console.log(a + 1);'),
    ]);
    const started: CellStart[] = [];
    const run = await runNotebook({
      input: source,
      output: path.join(dir, 'out', 'progress.ipynb'),
      cellTimeoutSeconds: 240,
      notebookTimeoutSeconds: 280,
      onCellStart: (cell) => started.push(cell),
    });
    assert.equal(run.status, 'ok', String(run.error));
    assert.deepEqual(started, [
      { index: 1, codeCell: 1, codeCells: 3 },
      { index: 4, codeCell: 3, codeCells: 3 },
    ]);
  });
});

/** 00-setup's verdict matches its own data-set table: it says what is missing instead of "ready to run". */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { outputText, readNotebook } from '../../scripts/tooling/notebook-file';
import { runNotebook } from '../../scripts/tooling/run-notebook';
import { requireJupyter, ROOT, scratchDir } from './helpers';

describe('00-setup: the closing verdict', function () {
  this.timeout(600_000);

  it('with an empty data folder it names the missing data sets and how to get them', async function () {
    requireJupyter(this);
    const dir = scratchDir('setup-notebook');
    const emptyData = path.join(dir, 'datasets');
    fs.mkdirSync(emptyData);
    const output = path.join(dir, '00-setup.ipynb');
    const run = await runNotebook({
      input: path.join(ROOT, 'notebooks', '00-setup.ipynb'),
      output,
      cellTimeoutSeconds: 300,
      notebookTimeoutSeconds: 540,
      env: { COURSE_PROFILE: 'smoke', DATASETS_DIR: emptyData, COURSE_RESULTS_DIR: path.join(dir, 'results') },
    });
    assert.equal(run.status, 'ok', String(run.error));
    const printed = readNotebook(output).cells.flatMap((cell) => (cell.outputs ?? []).map(outputText)).join('\n');
    assert.doesNotMatch(printed, /the course is ready to run/);
    assert.match(printed, /setup OK so far: the engine trains, but \d data set\(s\) are missing \([a-z0-9, ]*cifar10[a-z0-9, ]*\): run `npm run datasets`/);
  });
});

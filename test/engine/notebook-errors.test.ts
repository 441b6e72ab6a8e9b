import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { formatNotebookError } from '../../lib/src/engine';
import { DatasetFileError } from '../../lib/src/data';
import { outputText, readNotebook } from '../../scripts/tooling/notebook-file';
import { runNotebook } from '../../scripts/tooling/run-notebook';
import { codeCell, requireJupyter, scratchDir, writeTslabNotebook } from '../tooling/helpers';

describe('engine: errors as a notebook shows them', function () {
  this.timeout(600_000);

  it('headline, the frames outside packages (at most 3), a count of the rest; no repeated fields', () => {
    const error = new DatasetFileError('/data/cifar/test_batch.bin', 'missing. Get it with `npm run datasets -- cifar10`');
    error.stack = [
      `DatasetFileError: ${error.message}`,
      '    at requireDatasetFile (/course/lib/src/data/paths.ts:14:11)',
      '    at loadCifar10 (/course/lib/src/data/cifar10.ts:230:9)',
      '    at evalmachine.<anonymous>:3:14',
      '    at Script.runInThisContext (node:vm:129:12)',
      '    at Object.execute (/course/node_modules/tslab/dist/executor.js:160:38)',
      '    at /course/lib/src/other.ts:1:1',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    const shown = formatNotebookError(error);
    assert.equal(
      shown,
      [
        'DatasetFileError: /data/cifar/test_batch.bin: missing. Get it with `npm run datasets -- cifar10`',
        '    at requireDatasetFile (/course/lib/src/data/paths.ts:14:11)',
        '    at loadCifar10 (/course/lib/src/data/cifar10.ts:230:9)',
        '    at evalmachine.<anonymous>:3:14',
        '    (4 more frames: print error.stack for all)',
      ].join('\n'),
    );
    assert.doesNotMatch(shown, /problem:/);
  });

  it('in a tslab kernel, a library error prints briefly, with the library TypeScript line', async function () {
    requireJupyter(this);
    const dir = scratchDir('notebook-errors');
    const source = writeTslabNotebook(path.join(dir, 'error.ipynb'), [
      codeCell("import * as course from '@dl-course/lib';"),
      codeCell(`course.loadCifar10({ dataDir: ${JSON.stringify(path.join(dir, 'no-data'))} });`),
    ]);
    const output = path.join(dir, 'out', 'error.ipynb');
    const run = await runNotebook({ input: source, output, cellTimeoutSeconds: 240, notebookTimeoutSeconds: 280 });
    assert.equal(run.status, 'failed', String(run.error));
    const stderr = readNotebook(output).cells[1]!.outputs!.filter((o) => o.name === 'stderr').map(outputText).join('');
    const lines = stderr.trim().split('\n');
    assert.match(lines[0]!, /^DatasetFileError: .*batches\.meta\.txt: missing\. Get it with `npm run datasets -- cifar10`/);
    assert.ok(lines.length <= 5, stderr);
    assert.match(stderr, /lib[\\/]src[\\/]data[\\/]\w+\.ts:\d+/, 'a TypeScript line of the library');
    assert.doesNotMatch(stderr, /problem:|file:/, 'no dump of the fields');
  });
});

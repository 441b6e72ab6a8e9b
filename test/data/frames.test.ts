import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { cifar10Frame, loadCifar10, loadMnist, makeMoons, mnistFrame, mrpcFrame, parseMrpc, toy2dFrame } from '../../lib/src/data';
import { datasetSummaryHtml, tableToHtml } from '../../lib/src/plot';
import { MRPC_ROWS, mrpcText, removeDir, tempDir, writeCifarFixture, writeMnistFixture } from './fixtures';

describe('data: DataFrame views and HTML tables', function () {
  this.timeout(60000); // danfojs-node takes seconds to import on a busy machine
  it('importing the data module does not load danfojs-node', () => {
    const { execFileSync } = require('child_process') as typeof import('child_process');
    const dataModule = JSON.stringify(require.resolve('../../lib/src/data'));
    const script = `require('tsx/cjs'); require(${dataModule}); console.log(Object.keys(require.cache).some((k) => k.includes('danfojs-node')))`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname });
    assert.equal(output.trim().split('\n').pop(), 'false');
  });

  it('toy 2D frame: head, describe and value counts as HTML', () => {
    const data = makeMoons({ n: 40, seed: 1 });
    const df = toy2dFrame(data);
    assert.deepEqual(df.columns, ['x1', 'x2', 'label']);
    assert.deepEqual(df.shape, [40, 3]);
    const html = datasetSummaryHtml(df, { title: 'moons <2D>', labelColumn: 'label' });
    assert.match(html, /<h4>moons &lt;2D&gt; \(40 rows × 3 columns\)<\/h4>/);
    assert.match(html, />describe<\/div>.*<th[^>]*>mean<\/th>/s);
    assert.match(html, />value counts of label<\/div><table[^>]*><thead><tr><th[^>]*><\/th><th[^>]*>count<\/th><\/tr><\/thead><tbody><tr><th[^>]*>[01]<\/th><td[^>]*>20<\/td>/);
    tf.dispose([data.x, data.y]);
  });

  it('tableToHtml escapes a DataFrame, limits rows and formats numbers', () => {
    const { DataFrame } = require('danfojs-node') as typeof import('danfojs-node');
    const df = new DataFrame({ text: ['<b>&', 'x', "y'"], v: [1 / 3, 2, 3] });
    const html = tableToHtml(df, { maxRows: 2, caption: 'c' });
    assert.match(html, /<td[^>]*>&lt;b&gt;&amp;<\/td><td[^>]*>0\.3333<\/td>/);
    assert.match(html, /<td[^>]*>y&#39;<\/td>/);
    assert.match(html, />…</);
    assert.match(html, /3 rows × 2 columns/);
    assert.ok(!html.includes('<b>'));
  });

  it('MNIST, CIFAR-10 and MRPC frames', () => {
    const dir = tempDir();
    try {
      writeMnistFixture(dir);
      const mnist = loadMnist({ dir, validationSplit: 0 });
      const m = mnistFrame(mnist.test);
      assert.deepEqual(m.columns, ['label', 'meanPixel', 'inkShare']);
      assert.deepEqual(m.column('label').values, [0, 1, 2, 3, 4]);
      assert.ok(Math.abs((m.column('meanPixel').values[1] as number) - 10 / 255) < 1e-6);
      writeCifarFixture(dir);
      const cifar = loadCifar10({ dataDir: dir });
      const c = cifar10Frame(cifar.test);
      assert.deepEqual(c.column('className').values.slice(0, 2), ['airplane', 'automobile']);
      assert.ok(Math.abs((c.column('meanGreen').values[0] as number) - 100) < 1e-9);
      const pairs = parseMrpc(mrpcText(MRPC_ROWS), 'x');
      const r = mrpcFrame(pairs);
      assert.deepEqual(r.column('label').values, [1, 0, 1, 0]);
      assert.match(tableToHtml(r), /&quot; the witness &quot;/);
    } finally {
      removeDir(dir);
    }
  });
});

import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initEngine, engineInfo, parseBackendName, describeEngine } from '../../lib/src/engine';

describe('engine: backend selection', () => {
  const saved = process.env.TFJS_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.TFJS_BACKEND;
    else process.env.TFJS_BACKEND = saved;
  });

  it('picks wasm here, where the native packages are absent, and says why', async () => {
    delete process.env.TFJS_BACKEND;
    const info = await initEngine({ verbose: false });
    // The native backends are optional: when one is installed the engine must prefer it.
    const nativeSkipped = info.skipped.map((s) => s.backend);
    if (info.backend === 'wasm') {
      assert.deepEqual(nativeSkipped, ['tensorflow-gpu', 'webgpu', 'tensorflow']);
      assert.match(info.reason, /not available/);
    }
    assert.equal(tf.getBackend(), info.tfBackend);
    assert.equal(engineInfo(), info);
    assert.match(describeEngine(info), /TF\.js 4\.\d+\.\d+ on backend/);
  });

  it('honours TFJS_BACKEND', async () => {
    process.env.TFJS_BACKEND = 'cpu';
    const info = await initEngine({ verbose: false });
    assert.equal(info.backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.match(info.reason, /TFJS_BACKEND/);
  });

  it('rejects an unknown backend name with the list of valid ones', () => {
    assert.throws(() => parseBackendName('cuda'), /one of: tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });

  it('explains how to install a forced native backend that is missing', async function () {
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
      this.skip(); // installed on this machine: nothing to explain
    } catch {
      /* expected here */
    }
    await assert.rejects(initEngine({ backend: 'tensorflow-gpu', verbose: false }), /setup:native -- --gpu/);
  });

  it('trains on the chosen backend: a dense layer fits y = 2x + 1', async () => {
    await initEngine({ backend: 'wasm', verbose: false });
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
    const x = tf.linspace(-1, 1, 32).reshape([32, 1]);
    const y = x.mul(2).add(1);
    const history = await model.fit(x, y, { epochs: 60, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[losses.length - 1] < 0.01 * losses[0], `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    tf.dispose([x, y]);
    model.dispose();
  });
});

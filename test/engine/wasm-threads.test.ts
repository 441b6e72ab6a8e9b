import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_WASM_THREADS, initEngine, wasmThreadsWanted } from '../../lib/src/engine';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Train a small CNN and a dense layer for a few steps in a fresh process with `threads` wasm threads; print the
 * engine summary line and a digest of the trained weights. The process must end by itself (no worker left running).
 */
function trainInChild(threads: number): { summary: string; weights: number[] } {
  const script = `
    const tf = require('@tensorflow/tfjs');
    const { initEngine, describeEngine } = require('./lib/src/engine');
    (async () => {
      const info = await initEngine({ backend: 'wasm', verbose: false });
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 8, kernelSize: 3, activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ] });
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
      const x = tf.randomUniform([96, 12, 12, 2], -1, 1, 'float32', 7);
      const y = tf.oneHot(tf.randomUniform([96], 0, 3, 'int32', 8), 3);
      await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
      const weights = model.getWeights().map((w) => Number(w.abs().sum().dataSync()[0]));
      console.log(JSON.stringify({ summary: describeEngine(info), weights }));
    })();
  `;
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, TFJS_WASM_THREADS: String(threads) },
    encoding: 'utf8',
    timeout: 60_000, // a worker keeping the process alive would hit this
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

describe('engine: wasm threads', () => {
  const saved = process.env.TFJS_WASM_THREADS;
  afterEach(() => {
    if (saved === undefined) delete process.env.TFJS_WASM_THREADS;
    else process.env.TFJS_WASM_THREADS = saved;
  });

  it('uses one thread per CPU by default, at most 8', () => {
    assert.equal(wasmThreadsWanted({}), Math.min(os.availableParallelism(), MAX_WASM_THREADS));
  });

  it('takes TFJS_WASM_THREADS, capped at 8, and rejects nonsense', () => {
    assert.equal(wasmThreadsWanted({ TFJS_WASM_THREADS: '1' }), 1);
    assert.equal(wasmThreadsWanted({ TFJS_WASM_THREADS: '3' }), 3);
    assert.equal(wasmThreadsWanted({ TFJS_WASM_THREADS: '64' }), 8);
    const perCpu = Math.min(os.availableParallelism(), MAX_WASM_THREADS);
    assert.throws(
      () => wasmThreadsWanted({ TFJS_WASM_THREADS: 'two' }),
      new RegExp(`TFJS_WASM_THREADS='two' is not a number of threads: give a whole number from 1 to 8, or unset it for one thread per CPU \\(${perCpu} here\\)`),
    );
    assert.throws(() => wasmThreadsWanted({ TFJS_WASM_THREADS: '0' }), /TFJS_WASM_THREADS='0' is not a number of threads/);
  });

  it('initEngine stops on a bad TFJS_WASM_THREADS instead of falling back to the cpu backend', async () => {
    const savedBackend = process.env.TFJS_BACKEND;
    delete process.env.TFJS_BACKEND;
    try {
      for (const bad of ['abc', '0', '1.5']) {
        process.env.TFJS_WASM_THREADS = bad;
        await assert.rejects(initEngine({ verbose: false }), new RegExp(`TFJS_WASM_THREADS='${bad.replace('.', '\\.')}' is not a number of threads`));
      }
    } finally {
      if (savedBackend !== undefined) process.env.TFJS_BACKEND = savedBackend;
    }
  });

  it('trains to the same weights on 1 and 2 threads, and the process exits by itself', function () {
    this.timeout(150_000);
    const one = trainInChild(1);
    const two = trainInChild(2);
    assert.match(one.summary, /on backend 'wasm' \(cpu, 1 thread\)/);
    assert.match(two.summary, /on backend 'wasm' \(cpu, 2 threads\)/);
    assert.equal(one.weights.length, 6);
    for (const [i, w] of one.weights.entries()) {
      assert.ok(Math.abs(w - two.weights[i]) <= 1e-4 * Math.abs(w), `weight ${i}: ${w} vs ${two.weights[i]}`);
    }
  });
});

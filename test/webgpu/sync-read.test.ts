/**
 * Reads on webgpu in Node. dataSync/arraySync: TF.js's own synchronous read needs OffscreenCanvas (absent in Node);
 * the engine's reads the GPU buffer instead (engine/webgpu-sync-read.ts). Errors: a kernel the GPU rejects makes the
 * next read throw (engine/webgpu-errors.ts) instead of leaving a tensor unwritten.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { useWebGpu } from './webgpu-suite';

describe('webgpu: reads in Node', function () {
  useWebGpu();

  it('dataSync and arraySync of tensors computed on the GPU give what an async read gives (float32, int32, bool)', async () => {
    await tf.setBackend('webgpu');
    // big enough (4096 values) that the backend computes on the GPU, not on a CPU copy
    const a = tf.reshape(tf.range(0, 4096, 1, 'float32'), [64, 64]);
    const outputs = [tf.matMul(tf.div(a, 4096), tf.div(a, 4096)), tf.cast(tf.floor(tf.div(a, 7)), 'int32'), tf.greater(tf.sin(a), 0)];
    for (const t of outputs) {
      const fresh = tf.clone(t); // read synchronously first, before anything cached its values
      const sync = Array.from(fresh.dataSync());
      assert.deepEqual(sync, Array.from(await t.data()), `${t.dtype} values`);
      assert.equal((fresh.arraySync() as number[][]).length, 64);
    }
    tf.dispose([a, ...outputs]);
  });

  it('a promise resolved through setImmediate still waits for the event loop', async () => {
    await tf.setBackend('webgpu');
    let resolved = false;
    const waiting = new Promise<void>((resolve) => setImmediate(resolve)).then(() => (resolved = true));
    tf.tidy(() => tf.sum(tf.ones([4096])).dataSync()); // a synchronous read runs Dawn's pending callbacks, only those
    await Promise.resolve();
    assert.equal(resolved, false);
    await waiting;
  });

  it('after the GPU rejects work, the next read throws its error (once), synchronous or not', async () => {
    await tf.setBackend('webgpu');
    const device = (tf.backend() as unknown as { device: { createBuffer(d: { size: number; usage: number }): unknown } }).device;
    const t = tf.add(tf.ones([4096]), 1);
    device.createBuffer({ size: 16, usage: 0 }); // invalid: an uncaptured validation error, as an oversized binding gives
    await assert.rejects(tf.clone(t).data(), /webgpu: the GPU rejected a kernel, so results are wrong: Buffer usages must not be 0/);
    assert.equal((await t.data())[0], 2, 'reported once');
    device.createBuffer({ size: 16, usage: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10)); // the error event arrives through Dawn's event processing
    assert.throws(() => tf.clone(t).dataSync(), /GPU rejected a kernel/);
    t.dispose();
  });
});

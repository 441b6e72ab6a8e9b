/**
 * dataSync/arraySync on webgpu in Node: TF.js's own synchronous read needs OffscreenCanvas (absent in Node); the
 * engine's reads the GPU buffer instead (engine/webgpu-sync-read.ts).
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { useWebGpu } from './webgpu-suite';

describe('webgpu: synchronous reads in Node', function () {
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
      assert.equal(fresh.arraySync().length, 64);
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
});

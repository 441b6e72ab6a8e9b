import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { evaluateClassifier, evaluateClassifierOnBatches, type LabelledBatch } from '../../lib/src/train';
import { assertNoTensorLeak, seededTensor, useCpuBackend } from '../models/support';

describe('train: evaluateClassifierOnBatches', () => {
  before(useCpuBackend);

  it('gives the same report as evaluateClassifier on the whole set, with the loss, and frees every batch', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const x = seededTensor([23, 5], 1);
    const labels = Array.from({ length: 23 }, (_, i) => (i * 7) % 4);
    const y = tf.tensor1d(labels, 'int32');
    const whole = await evaluateClassifier(model, x, y);
    function* batches(): Generator<LabelledBatch> {
      for (let start = 0; start < 23; start += 10) {
        const size = Math.min(10, 23 - start);
        yield { x: tf.slice(x, start, size), y: tf.slice(y, start, size) };
      }
    }
    const batched = await assertNoTensorLeak(() => evaluateClassifierOnBatches(model, batches()), 'batched evaluation');
    assert.equal(batched.accuracy, whole.accuracy);
    assert.deepEqual(batched.confusion, whole.confusion);
    assert.deepEqual(Array.from(batched.predictions), Array.from(whole.predictions));
    const probabilities = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const loss = -labels.reduce((s, c, i) => s + Math.log(probabilities[i][c]), 0) / 23;
    assert.ok(Math.abs(batched.loss - loss) < 1e-5, `loss ${batched.loss} vs ${loss}`);
    assert.equal(batched.probabilities.length, 23 * 4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses empty input and single-unit outputs', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    await assert.rejects(evaluateClassifierOnBatches(model, []), /batches were empty/);
    await assert.rejects(evaluateClassifierOnBatches(model, [{ x: tf.ones([2, 2]), y: tf.zeros([2]) }]), /needs class probabilities/);
    model.dispose();
  });
});

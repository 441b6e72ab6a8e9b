import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MinimumLength, RecurrentKind, buildRnnEncoder, buildSiamesePairClassifier } from '../../lib/src/models';
import { compileClassifier } from '../../lib/src/train';
import { assertClose, saveAndReload, useCpuBackend } from './support';

describe('models: recurrent encoders on one-token batches', () => {
  before(useCpuBackend);

  for (const kind of ['lstm', 'gru', 'simpleRnn'] as RecurrentKind[]) {
    it(`${kind}: trains on a batch of width 1 (TF.js alone fails in the backward pass)`, async () => {
      const encoder = buildRnnEncoder({ kind, vocabSize: 12, embeddingDim: 4, units: 3, bidirectional: kind === 'lstm', pooling: 'last', seed: 1 });
      const model = compileClassifier(buildSiamesePairClassifier(encoder, { seed: 2 }));
      const a = tf.tensor2d([[3], [5], [7]], [3, 1], 'int32');
      const b = tf.tensor2d([[4], [5], [1]], [3, 1], 'int32');
      const y = tf.tensor2d([[1], [0], [1]]);
      const loss = (await model.trainOnBatch([a, b], y)) as number | number[];
      assert.ok(Number.isFinite(Array.isArray(loss) ? loss[0] : loss));
      tf.dispose([a, b, y]);
      model.dispose();
    });
  }

  it('the padding it adds is masked: a one-token encoding equals that of the same token padded by hand', () => {
    for (const pooling of ['last', 'mean', 'max', 'attention'] as const) {
      const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: 12, embeddingDim: 4, units: 3, pooling, seed: 3 });
      const one = tf.tensor2d([[6], [2]], [2, 1], 'int32');
      const padded = tf.tensor2d([[6, 0, 0], [2, 0, 0]], [2, 3], 'int32');
      const [p1, p3] = [encoder.predict(one) as tf.Tensor, encoder.predict(padded) as tf.Tensor];
      assertClose(p1.dataSync(), p3.dataSync(), 1e-6, `${pooling} pooling`);
      tf.dispose([one, padded, p1, p3]);
      encoder.dispose();
    }
  });

  it('MinimumLength pads only what is shorter, and saves and loads', async () => {
    const layer = new MinimumLength({ minimum: 2 });
    const short = layer.apply(tf.tensor2d([[4]], [1, 1], 'int32')) as tf.Tensor;
    const long = layer.apply(tf.tensor2d([[4, 5, 6]], [1, 3], 'int32')) as tf.Tensor;
    assert.deepEqual(Array.from(short.dataSync()), [4, 0]);
    assert.deepEqual(Array.from(long.dataSync()), [4, 5, 6]);
    assert.deepEqual(layer.computeOutputShape([null, 1]), [null, 2]);
    assert.deepEqual(layer.computeOutputShape([null, null]), [null, null]);
    const encoder = buildRnnEncoder({ kind: 'gru', vocabSize: 12, embeddingDim: 4, units: 3, pooling: 'mean', sequenceLength: 1, seed: 4 });
    assert.deepEqual(encoder.outputs[0].shape, [null, 3]);
    const loaded = await saveAndReload(encoder);
    assert.ok(loaded.layers.some((l) => l instanceof MinimumLength));
    tf.dispose([short, long]);
  });
});

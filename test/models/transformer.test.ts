import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  MultiHeadSelfAttention,
  SinusoidalPositionalEncoding,
  buildTransformerAttentionModel,
  buildTransformerClassifier,
  sinusoidalPositionTable,
} from '../../lib/src/models';
import { assertClose, assertNoTensorLeak, paddedIds, seededTensor, trainBriefly, useCpuBackend } from './support';

describe('models: Transformer pieces', () => {
  before(useCpuBackend);

  it('the sinusoidal table matches the formula', () => {
    const table = sinusoidalPositionTable(3, 4);
    // position 0: sin 0, cos 0, sin 0, cos 0
    assertClose(table.slice(0, 4), [0, 1, 0, 1], 1e-7, 'p=0');
    // position 2: angles 2 and 2 / 10000^(2/4) = 0.02
    assertClose(table.slice(8, 12), [Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)], 1e-6, 'p=2');
  });

  it('the positional-encoding layer adds the table (after scaling by sqrt(d))', () => {
    const x = tf.ones([2, 3, 4]);
    const y = new SinusoidalPositionalEncoding().apply(x) as tf.Tensor;
    const expected = Array.from(sinusoidalPositionTable(3, 4), (v) => v + 2);
    assertClose(y.dataSync().slice(12), expected, 1e-6, 'second example');
    tf.dispose([x, y]);
  });

  describe('MultiHeadSelfAttention', () => {
    it('keeps the shape, has 4 projections, and its weights sum to 1 over real keys', () => {
      const layer = new MultiHeadSelfAttention({ numHeads: 2, returnAttentionWeights: true, seed: 3 });
      const x = seededTensor([2, 5, 8], 1);
      const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
      const [y, weights] = layer.apply([x, mask]) as tf.Tensor[];
      assert.deepEqual(y.shape, [2, 5, 8]);
      assert.deepEqual(weights.shape, [2, 2, 5, 5]);
      assert.equal(layer.countParams(), 4 * (8 * 8 + 8));
      const w = weights.arraySync() as number[][][][];
      for (const query of w[0][1]) {
        assert.ok(Math.abs(query[0] + query[1] + query[2] - 1) < 1e-5);
        assert.ok(query[3] < 1e-7 && query[4] < 1e-7, 'padded keys get no weight');
      }
      tf.dispose([x, mask, y, weights]);
      layer.dispose();
    });

    it('causal attention: an output never depends on later positions', () => {
      const layer = new MultiHeadSelfAttention({ numHeads: 2, causal: true, seed: 4 });
      const x = seededTensor([1, 4, 6], 2);
      const changed = tf.tidy(() => tf.concat([tf.slice(x, [0, 0, 0], [1, 3, 6]), tf.fill([1, 1, 6], 9)], 1));
      const a = layer.apply(x) as tf.Tensor;
      const b = layer.apply(changed) as tf.Tensor;
      assertClose(b.dataSync().slice(0, 18), a.dataSync().slice(0, 18), 1e-5, 'first three positions');
      assert.ok(Math.abs(b.dataSync()[18] - a.dataSync()[18]) > 1e-4, 'the last position does see its own change');
      tf.dispose([x, changed, a, b]);
      layer.dispose();
    });

    it('rejects a model dim not divisible by the heads', () => {
      const layer = new MultiHeadSelfAttention({ numHeads: 3 });
      const x = tf.ones([1, 2, 8]);
      assert.throws(() => layer.apply(x), /not divisible by numHeads/);
      x.dispose();
    });
  });

  describe('buildTransformerClassifier', () => {
    const options = { vocabSize: 30, sequenceLength: 8, modelDim: 16, numHeads: 4, feedForwardDim: 32, numLayers: 1, outputs: 3, seed: 1 };

    it('has the expected shape and parameter count', () => {
      const model = buildTransformerClassifier(options);
      assert.deepEqual(model.outputs[0].shape, [null, 3]);
      const attention = 4 * (16 * 16 + 16);
      const norms = 2 * (2 * 16);
      const ffn = 16 * 32 + 32 + (32 * 16 + 16);
      assert.equal(model.countParams(), 30 * 16 + attention + norms + ffn + (16 * 3 + 3));
      const two = buildTransformerClassifier({ ...options, numLayers: 2 });
      assert.equal(two.countParams() - model.countParams(), attention + norms + ffn);
      model.dispose();
      two.dispose();
    });

    it('ignores padding: the embedding of the pad token does not change the prediction', () => {
      const model = buildTransformerClassifier({ ...options, dropout: 0 });
      const ids = tf.tensor2d([[5, 6, 7, 0, 0, 0, 0, 0]], [1, 8], 'int32');
      const before = model.predict(ids) as tf.Tensor;
      const embedding = model.getLayer('token_embedding');
      const [table] = embedding.getWeights();
      const changed = tf.tidy(() => tf.concat([tf.fill([1, 16], 3), tf.slice(table, [1, 0], [-1, -1])], 0));
      embedding.setWeights([changed]);
      const after = model.predict(ids) as tf.Tensor;
      assertClose(after.dataSync(), before.dataSync(), 1e-5, 'prediction');
      tf.dispose([ids, before, changed, after]);
      model.dispose();
    });

    it('learns a toy sequence task (which token is most frequent) without leaking tensors', async () => {
      const model = buildTransformerClassifier({ ...options, vocabSize: 4, outputs: 3, dropout: 0 });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
      const ids = paddedIds([8, 6, 7, 5, 8, 4, 8, 6], 8, 4, 3);
      const y = tf.tidy(() => {
        const counts = [1, 2, 3].map((t) => tf.sum(tf.cast(tf.equal(ids, t), 'float32'), 1));
        return tf.cast(tf.argMax(tf.stack(counts, 1), 1), 'float32');
      });
      const { first, last } = await trainBriefly(model, ids, y, 40);
      assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
      tf.dispose([ids, y]);
      model.dispose();
    });

    it('exposes one block\'s attention weights for plotting', async () => {
      const model = buildTransformerClassifier(options);
      const probe = buildTransformerAttentionModel(model, 1);
      const ids = tf.tensor2d([[3, 4, 5, 0, 0, 0, 0, 0]], [1, 8], 'int32');
      const weights = probe.predict(ids) as tf.Tensor;
      assert.deepEqual(weights.shape, [1, 4, 8, 8]);
      const row = (weights.arraySync() as number[][][][])[0][2][0];
      assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-5);
      tf.dispose([ids, weights]);
      const zeros = tf.zeros([2, 8], 'int32');
      await assertNoTensorLeak(() => tf.dispose(model.predict(zeros) as tf.Tensor), 'predict');
      zeros.dispose();
      probe.layers.forEach((l) => l.name.endsWith('_probe') && l.dispose());
      model.dispose();
    });
  });
});

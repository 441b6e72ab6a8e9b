import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  AttentionPooling,
  MaskedSequencePooling,
  PairFeatures,
  RecurrentKind,
  buildAttentionWeightsModel,
  buildRnnEncoder,
  buildSiamesePairClassifier,
} from '../../lib/src/models';
import { assertClose, assertNoTensorLeak, paddedIds, seededTensor, trainBriefly, useCpuBackend } from './support';

const V = 20;
const E = 6;
const U = 5;
const cellParams: Record<RecurrentKind, number> = {
  simpleRnn: E * U + U * U + U,
  lstm: 4 * (E * U + U * U + U),
  gru: 3 * (E * U + U * U + U),
};

describe('models: recurrent encoders, attention pooling, siamese pairs', () => {
  before(useCpuBackend);

  describe('buildRnnEncoder', () => {
    for (const kind of ['simpleRnn', 'lstm', 'gru'] as const) {
      it(`${kind}: output shape and parameter count, uni- and bidirectional`, () => {
        const uni = buildRnnEncoder({ kind, vocabSize: V, embeddingDim: E, units: U, pooling: 'last', seed: 1 });
        assert.deepEqual(uni.outputs[0].shape, [null, U]);
        assert.equal(uni.countParams(), V * E + cellParams[kind]);
        const bi = buildRnnEncoder({ kind, vocabSize: V, embeddingDim: E, units: U, bidirectional: true, pooling: 'mean', seed: 1 });
        assert.deepEqual(bi.outputs[0].shape, [null, 2 * U]);
        assert.equal(bi.countParams(), V * E + 2 * cellParams[kind]);
        uni.dispose();
        bi.dispose();
      });
    }

    it('attention pooling adds its scorer: additive d*a + 2a, dot d', () => {
      const additive = buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, bidirectional: true, pooling: 'attention', seed: 1 });
      const d = 2 * U;
      const a = 16; // the scorer's width: max(16, units)
      assert.equal(additive.countParams(), V * E + 2 * cellParams.lstm + d * a + a + a);
      const dot = buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, bidirectional: true, pooling: 'attention', attentionScore: 'dot', seed: 1 });
      assert.equal(dot.countParams(), V * E + 2 * cellParams.lstm + d);
      additive.dispose();
      dot.dispose();
    });

    it('padding does not change the encoding, for every pooling, uni- and bidirectional', () => {
      for (const [pooling, bidirectional] of [['last', false], ['mean', false], ['max', false], ['attention', false], ['last', true], ['attention', true]] as const) {
        const encoder = buildRnnEncoder({ kind: 'gru', vocabSize: V, embeddingDim: E, units: U, pooling, bidirectional, seed: 4 });
        const short = tf.tensor2d([[3, 7, 2]], [1, 3], 'int32');
        const padded = tf.tensor2d([[3, 7, 2, 0, 0, 0]], [1, 6], 'int32');
        const a = encoder.predict(short) as tf.Tensor;
        const b = encoder.predict(padded) as tf.Tensor;
        assertClose(b.dataSync(), a.dataSync(), 1e-5, `${pooling} pooling${bidirectional ? ', bidirectional' : ''}`);
        tf.dispose([short, padded, a, b]);
        encoder.dispose();
      }
    });

    it('uses a given embedding matrix, frozen by default', () => {
      const matrix = Array.from({ length: V }, (_, i) => Array.from({ length: E }, (_, j) => i * 0.01 + j * 0.001));
      const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, pooling: 'last', embeddingMatrix: matrix, seed: 1 });
      const embedding = encoder.getLayer('embedding');
      assert.equal(embedding.trainable, false);
      assertClose(embedding.getWeights()[0].dataSync(), matrix.flat(), 1e-7, 'embedding');
      assert.throws(
        () => buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, pooling: 'last', embeddingMatrix: new Float32Array(5) }),
        /embeddingMatrix has 5 values/,
      );
      encoder.dispose();
    });

    it('the attention weights sum to 1 over real tokens and are 0 on padding', () => {
      const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, pooling: 'attention', seed: 3 });
      const probe = buildAttentionWeightsModel(encoder);
      const lengths = [5, 2, 7, 1];
      const ids = paddedIds(lengths, 7, V, 11);
      const weights = probe.predict(ids) as tf.Tensor;
      assert.deepEqual(weights.shape, [4, 7]);
      const w = weights.arraySync() as number[][];
      lengths.forEach((len, row) => {
        const real = w[row].slice(0, len);
        assert.ok(Math.abs(real.reduce((s, v) => s + v, 0) - 1) < 1e-5, `row ${row} sums to 1`);
        assert.ok(real.every((v) => v > 0), `row ${row}: every real token gets some weight`);
        assert.ok(w[row].slice(len).every((v) => v < 1e-7), `row ${row}: padding gets none`);
      });
      tf.dispose([ids, weights]);
      encoder.dispose();
    });
  });

  describe('custom pooling layers', () => {
    it('AttentionPooling with an explicit mask input: weights 0 on masked steps', () => {
      const layer = new AttentionPooling({ score: 'dot', returnAttentionWeights: true, seed: 5 });
      const x = seededTensor([2, 4, 3], 1);
      const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 1]]);
      const [pooled, weights] = layer.apply([x, mask]) as tf.Tensor[];
      assert.deepEqual(pooled.shape, [2, 3]);
      const w = weights.arraySync() as number[][];
      assert.ok(Math.abs(w[0][0] + w[0][1] - 1) < 1e-6 && w[0][2] === 0 && w[0][3] === 0);
      // pooled = sum_t w_t x_t
      const expected = tf.tidy(() => tf.sum(tf.mul(x, tf.expandDims(weights, 2)), 1));
      assertClose(pooled.dataSync(), expected.dataSync(), 1e-6, 'pooled');
      tf.dispose([x, mask, pooled, weights, expected]);
      layer.dispose();
    });

    it('MaskedSequencePooling averages and maxes over real steps only', () => {
      const x = tf.tensor3d([[[1], [3], [100]], [[2], [-4], [6]]]);
      const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
      const mean = new MaskedSequencePooling({ mode: 'mean' }).apply([x, mask]) as tf.Tensor;
      const max = new MaskedSequencePooling({ mode: 'max' }).apply([x, mask]) as tf.Tensor;
      assertClose(mean.dataSync(), [2, 4 / 3], 1e-6, 'mean');
      assertClose(max.dataSync(), [3, 6], 1e-6, 'max');
      tf.dispose([x, mask, mean, max]);
    });

    it('PairFeatures concatenates [u, v, |u-v|, u*v]', () => {
      const u = tf.tensor2d([[1, -2]]);
      const v = tf.tensor2d([[3, 4]]);
      const out = new PairFeatures().apply([u, v]) as tf.Tensor;
      assert.deepEqual(Array.from(out.dataSync()), [1, -2, 3, 4, 2, 6, 3, -8]);
      tf.dispose([u, v, out]);
    });
  });

  describe('buildSiamesePairClassifier', () => {
    it('shares one encoder, has encoder + head parameters, outputs one probability', () => {
      const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: V, embeddingDim: E, units: U, pooling: 'mean', seed: 1 });
      const model = buildSiamesePairClassifier(encoder, { hidden: [4], seed: 2 });
      assert.equal(model.inputs.length, 2);
      assert.deepEqual(model.outputs[0].shape, [null, 1]);
      assert.equal(model.countParams(), V * E + cellParams.lstm + (4 * U * 4 + 4) + (4 + 1));
      model.dispose();
    });

    it('learns a toy pair task (same first token or not) without leaking tensors', async () => {
      const encoder = buildRnnEncoder({ kind: 'gru', vocabSize: 8, embeddingDim: 8, units: 8, pooling: 'attention', seed: 5 });
      const model = buildSiamesePairClassifier(encoder, { seed: 6 });
      model.compile({ optimizer: tf.train.adam(0.03), loss: 'binaryCrossentropy' });
      const a = tf.tensor2d([[1, 2, 0], [3, 4, 5], [6, 2, 0], [7, 1, 1], [2, 2, 0], [5, 0, 0]], [6, 3], 'int32');
      const b = tf.tensor2d([[1, 5, 5], [3, 0, 0], [2, 6, 0], [1, 7, 0], [2, 3, 4], [6, 5, 0]], [6, 3], 'int32');
      const y = tf.tensor2d([[1], [1], [0], [0], [1], [0]]);
      const { first, last } = await trainBriefly(model, [a, b], y, 40);
      assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
      await assertNoTensorLeak(() => tf.dispose(model.predict([a, b]) as tf.Tensor), 'predict + dispose');
      tf.dispose([a, b, y]);
      model.dispose();
    });
  });
});

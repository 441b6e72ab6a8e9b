import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  CROSS_ATTENTION_LAYER,
  CrossAttention,
  buildCrossAttentionPairClassifier,
  buildCrossAttentionWeightsModel,
  buildRnnEncoder,
} from '../../lib/src/models';
import { assertClose, assertNoTensorLeak, paddedIds, saveAndReload, seededTensor, trainBriefly, useCpuBackend } from './support';

const sequenceEncoder = () =>
  buildRnnEncoder({ kind: 'lstm', vocabSize: 12, embeddingDim: 6, units: 4, bidirectional: true, pooling: 'none', sequenceLength: 7, seed: 3 });

describe('models: cross-attention between two sentences', () => {
  before(useCpuBackend);

  it('outputs [a, aligned, a - aligned, a * aligned] and weights that sum to 1 over B\'s real words, 0 on padding', () => {
    const layer = new CrossAttention({ returnAttentionWeights: true });
    const a = seededTensor([2, 3, 4], 1);
    const b = seededTensor([2, 5, 4], 2);
    const maskA = tf.ones([2, 3]);
    const maskB = tf.tensor2d([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]);
    const [comparison, weights] = layer.apply([a, b, maskA, maskB]) as tf.Tensor[];
    assert.deepEqual(comparison.shape, [2, 3, 16]);
    assert.deepEqual(weights.shape, [2, 3, 5]);
    const w = weights.arraySync() as number[][][];
    for (const row of w[0]) {
      assertClose([row[0] + row[1]], [1], 1e-6, 'weights over real words');
      assertClose(row.slice(2), [0, 0, 0], 1e-7, 'weights on padding');
    }
    // the bilinear form starts as the identity: weights = softmax(a b^T) over B's real words
    const expected = tf.tidy(() => tf.softmax(tf.matMul(a.slice([0, 0, 0], [1, 3, 4]), b.slice([0, 0, 0], [1, 2, 4]), false, true)));
    assertClose(weights.slice([0, 0, 0], [1, 3, 2]).dataSync(), expected.dataSync(), 1e-6, 'dot-product weights');
    const c = comparison.arraySync() as number[][][];
    const aligned = tf.matMul(weights, b).arraySync() as number[][][];
    const av = a.arraySync() as number[][][];
    assertClose(c[1][2].slice(0, 4), av[1][2], 1e-6, 'a');
    assertClose(c[1][2].slice(4, 8), aligned[1][2], 1e-6, 'aligned');
    assertClose(c[1][2].slice(8, 12), av[1][2].map((x, i) => x - aligned[1][2][i]), 1e-6, 'a - aligned');
    assertClose(c[1][2].slice(12), av[1][2].map((x, i) => x * aligned[1][2][i]), 1e-6, 'a * aligned');
    assert.equal(layer.countParams(), 16, 'one d x d bilinear form');
    tf.dispose([a, b, maskA, maskB, comparison, weights, expected]);
  });

  it('makes the padding masks from the ids: in the classifier, B\'s padding gets weight 0', () => {
    const classifier = buildCrossAttentionPairClassifier(sequenceEncoder(), { hidden: [5], seed: 4 });
    const weightsModel = buildCrossAttentionWeightsModel(classifier);
    const a = paddedIds([4, 6], 7, 12, 1);
    const b = paddedIds([3, 5], 7, 12, 2);
    const w = (weightsModel.predict([a, b]) as tf.Tensor).arraySync() as number[][][];
    w[0].slice(0, 4).forEach((row) => {
      assertClose([row.slice(0, 3).reduce((s, x) => s + x, 0)], [1], 1e-5, 'real words of B');
      assertClose(row.slice(3), [0, 0, 0, 0], 1e-7, 'padding of B');
    });
    tf.dispose([a, b]);
  });

  it('builds from a sequence encoder only, and trains without leaking tensors', async () => {
    assert.throws(
      () => buildCrossAttentionPairClassifier(buildRnnEncoder({ kind: 'gru', vocabSize: 12, embeddingDim: 6, units: 4, pooling: 'mean' })),
      /pooling: 'none'/,
    );
    const classifier = buildCrossAttentionPairClassifier(sequenceEncoder(), { hidden: [5], dropout: 0.2, seed: 4 });
    assert.ok(classifier.getLayer(CROSS_ATTENTION_LAYER) instanceof CrossAttention);
    classifier.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy' });
    const x = [paddedIds([5, 3, 6, 2, 7, 4], 7, 12, 1), paddedIds([5, 3, 6, 2, 7, 4], 7, 12, 1)];
    const shuffledB = paddedIds([2, 6, 4, 4, 3, 5], 7, 12, 9);
    const xs = [tf.concat([x[0], x[0]]), tf.concat([x[1], shuffledB])];
    const y = tf.tensor2d([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [12, 1]);
    const { first, last } = await trainBriefly(classifier, xs, y, 30);
    assert.ok(last < first * 0.6, `loss ${first} -> ${last}`);
    tf.dispose([...x, shuffledB, ...xs, y]);
  });

  it('survives a save/load round trip with tf.loadLayersModel', async () => {
    const classifier = buildCrossAttentionPairClassifier(sequenceEncoder(), { hidden: [5], seed: 4 });
    const a = paddedIds([4, 6], 7, 12, 1);
    const b = paddedIds([3, 7], 7, 12, 2);
    const loaded = await saveAndReload(classifier);
    await assertNoTensorLeak(() => {
      const p1 = classifier.predict([a, b]) as tf.Tensor;
      const p2 = loaded.predict([a, b]) as tf.Tensor;
      assertClose(p2.dataSync(), p1.dataSync(), 1e-6, 'reloaded prediction');
      tf.dispose([p1, p2]);
    });
    assert.ok(loaded.getLayer(CROSS_ATTENTION_LAYER) instanceof CrossAttention);
    tf.dispose([a, b]);
  });
});

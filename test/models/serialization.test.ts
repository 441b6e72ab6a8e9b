import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  AttentionPooling,
  MultiHeadSelfAttention,
  buildAttentionWeightsModel,
  buildRnnEncoder,
  buildSiamesePairClassifier,
  buildTransformerClassifier,
} from '../../lib/src/models';
import { assertClose, paddedIds, saveAndReload, useCpuBackend } from './support';

/** Predict with both models and compare. */
function assertSamePredictions(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor | tf.Tensor[]): void {
  const pa = a.predict(x) as tf.Tensor;
  const pb = b.predict(x) as tf.Tensor;
  assert.deepEqual(pb.shape, pa.shape);
  assertClose(pb.dataSync(), pa.dataSync(), 1e-6, 'predictions');
  tf.dispose([pa, pb]);
}

describe('models: custom layers save and load', () => {
  before(useCpuBackend);

  it('a siamese classifier over an attention encoder round-trips, attention weights included', async () => {
    const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: 15, embeddingDim: 4, units: 3, bidirectional: true, pooling: 'attention', seed: 2 });
    const model = buildSiamesePairClassifier(encoder, { hidden: [3], dropout: 0.1, seed: 3 });
    const loaded = await saveAndReload(model);
    const a = paddedIds([4, 2, 6], 6, 15, 1);
    const b = paddedIds([3, 6, 1], 6, 15, 2);
    assertSamePredictions(model, loaded, [a, b]);
    const loadedEncoder = loaded.layers.find((l) => l instanceof tf.LayersModel) as tf.LayersModel;
    assert.ok(loadedEncoder.layers.some((l) => l instanceof AttentionPooling), 'the attention layer comes back as AttentionPooling');
    assertSamePredictions(buildAttentionWeightsModel(encoder), buildAttentionWeightsModel(loadedEncoder), a);
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
  });

  for (const pooling of ['mean', 'max'] as const) {
    it(`an encoder with ${pooling} pooling round-trips`, async () => {
      const encoder = buildRnnEncoder({ kind: 'simpleRnn', vocabSize: 10, embeddingDim: 3, units: 4, pooling, seed: 5 });
      const loaded = await saveAndReload(encoder);
      const ids = paddedIds([2, 5], 5, 10, 4);
      assertSamePredictions(encoder, loaded, ids);
      ids.dispose();
      encoder.dispose();
      loaded.dispose();
    });
  }

  it('a Transformer classifier round-trips with its layer settings', async () => {
    const model = buildTransformerClassifier({ vocabSize: 12, sequenceLength: 6, modelDim: 8, numHeads: 2, feedForwardDim: 16, outputs: 1, causal: true, seed: 7 });
    const loaded = await saveAndReload(model);
    const ids = paddedIds([6, 3, 1], 6, 12, 9);
    assertSamePredictions(model, loaded, ids);
    const attention = loaded.getLayer('block2_attention') as MultiHeadSelfAttention;
    assert.ok(attention instanceof MultiHeadSelfAttention);
    assert.equal(attention.numHeads, 2);
    assert.equal(attention.causal, true);
    ids.dispose();
    model.dispose();
    loaded.dispose();
  });
});

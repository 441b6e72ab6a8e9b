import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  DropoutSeeds,
  MultiHeadSelfAttention,
  SeededDropout,
  buildMlp,
  buildMnistCnn,
  buildRnnEncoder,
  buildTransformerClassifier,
} from '../../lib/src/models';
import { assertNoTensorLeak, paddedIds, saveAndReload, useCpuBackend } from './support';

/** Which of the entries a training-mode pass through `layer` kept (1) or dropped (0). */
function keptPattern(layer: tf.layers.Layer, shape: number[]): number[] {
  return tf.tidy(() => {
    const out = layer.apply(tf.ones(shape), { training: true }) as tf.Tensor;
    return Array.from(out.dataSync(), (v) => (v === 0 ? 0 : 1));
  });
}

/** Train a fresh model for a few steps and return all its weights, flattened. */
async function weightsAfterTraining(
  build: () => tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  y: tf.Tensor,
  loss: string,
  steps = 3,
): Promise<number[]> {
  const model = build();
  model.compile({ optimizer: tf.train.sgd(0.1), loss });
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const weights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
  model.dispose();
  return weights;
}

describe('models: seeded dropout (a fresh mask each step, the same masks run after run)', () => {
  before(useCpuBackend);

  it('draws a different mask at every training step, and the same sequence from the same seed', () => {
    const first = new SeededDropout({ rate: 0.5, seed: 11 });
    const again = new SeededDropout({ rate: 0.5, seed: 11 });
    const masks = [0, 1, 2].map(() => keptPattern(first, [64]));
    assert.notDeepEqual(masks[0], masks[1], 'a new mask at the second step');
    assert.notDeepEqual(masks[1], masks[2], 'a new mask at the third step');
    assert.deepEqual([0, 1, 2].map(() => keptPattern(again, [64])), masks, 'the same seed repeats the masks');
    const other = keptPattern(new SeededDropout({ rate: 0.5, seed: 12 }), [64]);
    assert.notDeepEqual(other, masks[0], 'another seed, another mask');
  });

  it('drops about `rate` of the units, scales the rest by 1/(1 - rate), and is the identity outside training', () => {
    const layer = new SeededDropout({ rate: 0.25, seed: 3 });
    const out = tf.tidy(() => Array.from((layer.apply(tf.ones([4000]), { training: true }) as tf.Tensor).dataSync()));
    const dropped = out.filter((v) => v === 0).length / out.length;
    assert.ok(Math.abs(dropped - 0.25) < 0.03, `dropped ${dropped}`);
    assert.ok(out.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
    const inference = tf.tidy(() => Array.from((layer.apply(tf.ones([10])) as tf.Tensor).dataSync()));
    assert.deepEqual(inference, Array(10).fill(1));
    assert.throws(() => new SeededDropout({ rate: 1, seed: 1 }), /dropout rate must be in \[0, 1\), got 1/);
  });

  it('DropoutSeeds gives each layer its own stream, derived from the model seed', () => {
    const a = new DropoutSeeds(5);
    const b = new DropoutSeeds(5);
    const [a1, a2] = [a.layer(0.5), a.layer(0.5)];
    const [b1] = [b.layer(0.5)];
    assert.notEqual(a1.seed, a2.seed);
    assert.equal(a1.seed, b1.seed);
    const fnA = new DropoutSeeds(9).maskFunction();
    const fnB = new DropoutSeeds(9).maskFunction();
    const pattern = (fn: (x: tf.Tensor, rate: number) => tf.Tensor) =>
      tf.tidy(() => Array.from(fn(tf.ones([32]), 0.5).dataSync(), (v) => (v === 0 ? 0 : 1)));
    const firstCall = pattern(fnA);
    assert.notDeepEqual(pattern(fnA), firstCall, 'a fresh mask at each call');
    assert.deepEqual(pattern(fnB), firstCall, 'the same seed, the same first mask');
  });

  it('an MLP with dropout trains to bit-identical weights from the same seed, and to others from another seed', async () => {
    const x = tf.randomNormal([16, 2], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0]);
    const build = (seed: number) => () => buildMlp({ inputDim: 2, hidden: [16, 16], outputs: 1, activation: 'relu', dropout: 0.5, seed });
    const run1 = await weightsAfterTraining(build(4), x, y, 'binaryCrossentropy');
    const run2 = await weightsAfterTraining(build(4), x, y, 'binaryCrossentropy');
    assert.deepEqual(run2, run1);
    const otherSeed = await weightsAfterTraining(build(5), x, y, 'binaryCrossentropy');
    assert.notDeepEqual(otherSeed, run1);
    tf.dispose([x, y]);
  });

  it('dropout leaves the initial weights as they were without it (its own seed stream)', () => {
    const withDropout = buildMlp({ inputDim: 2, hidden: [8, 8], outputs: 3, activation: 'relu', dropout: 0.3, seed: 8 });
    const without = buildMlp({ inputDim: 2, hidden: [8, 8], outputs: 3, activation: 'relu', seed: 8 });
    const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    assert.deepEqual(flat(withDropout), flat(without));
    withDropout.dispose();
    without.dispose();
  });

  it('the MNIST CNN (dropout 0.25) repeats its training exactly from its seed option', async () => {
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d([1, 7, 3, 0], 'int32'), 10);
    const build = () => buildMnistCnn({ seed: 6, filters: [2, 4], denseUnits: 8 });
    const run1 = await weightsAfterTraining(build, x, y, 'categoricalCrossentropy', 2);
    const run2 = await weightsAfterTraining(build, x, y, 'categoricalCrossentropy', 2);
    assert.deepEqual(run2, run1);
    tf.dispose([x, y]);
  });

  it('a bidirectional LSTM encoder with input dropout repeats its training exactly (both directions seeded)', async () => {
    const ids = paddedIds([5, 3, 6, 4], 6, 20, 1);
    const y = tf.tensor2d([[1], [0], [1], [0]]);
    const build = () => {
      const encoder = buildRnnEncoder({ kind: 'lstm', vocabSize: 20, embeddingDim: 4, units: 3, bidirectional: true, pooling: 'mean', dropout: 0.5, seed: 3 });
      const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
      return tf.sequential({ layers: [encoder, out] });
    };
    const run1 = await weightsAfterTraining(build, ids, y, 'binaryCrossentropy');
    const run2 = await weightsAfterTraining(build, ids, y, 'binaryCrossentropy');
    assert.deepEqual(run2, run1);
    tf.dispose([ids, y]);
  });

  it('a Transformer classifier (attention dropout included) repeats its training exactly', async () => {
    const ids = paddedIds([5, 3, 6, 4], 6, 20, 2);
    const y = tf.tensor1d([1, 0, 1, 0]);
    const build = () => buildTransformerClassifier({ vocabSize: 20, sequenceLength: 6, modelDim: 8, numHeads: 2, feedForwardDim: 8, numLayers: 1, outputs: 1, dropout: 0.3, seed: 4 });
    const run1 = await weightsAfterTraining(build, ids, y, 'binaryCrossentropy');
    const run2 = await weightsAfterTraining(build, ids, y, 'binaryCrossentropy');
    assert.deepEqual(run2, run1);
    const attention = new MultiHeadSelfAttention({ numHeads: 1, attentionDropout: 0.5, seed: 1 });
    assert.equal(attention.getConfig().seed, 1);
    tf.dispose([ids, y]);
  });

  it('saves and loads (the layer is registered), and a training step leaks no tensors', async () => {
    const model = buildMlp({ inputDim: 2, hidden: [4], outputs: 1, activation: 'tanh', dropout: 0.2, seed: 1 });
    const loaded = await saveAndReload(model);
    const layer = loaded.layers.find((l) => l instanceof SeededDropout) as SeededDropout;
    assert.ok(layer, 'the dropout layer comes back as a SeededDropout');
    assert.equal(layer.rate, 0.2);
    assert.equal(layer.seed, (model.layers[1] as SeededDropout).seed);
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const x = tf.ones([4, 2]);
    const y = tf.ones([4, 1]);
    await model.trainOnBatch(x, y); // optimiser state
    await assertNoTensorLeak(() => model.trainOnBatch(x, y), 'a training step with dropout');
    tf.dispose([x, y]);
  });
});

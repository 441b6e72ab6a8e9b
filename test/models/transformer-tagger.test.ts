import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeSequenceTask } from '../../lib/src/data';
import { buildTransformerAttentionModel, buildTransformerClassifier, buildTransformerTagger } from '../../lib/src/models';
import { checkLabelFormat, compileClassifier, evaluateTagger, fitModel } from '../../lib/src/train';
import { assertClose, paddedIds, saveAndReload, useCpuBackend } from './support';

describe('models: buildTransformerTagger (one class per position)', () => {
  before(useCpuBackend);
  const options = { vocabSize: 11, sequenceLength: 6, modelDim: 16, numHeads: 2, feedForwardDim: 32, numLayers: 1, outputs: 11, seed: 5 };

  it('outputs a softmax per position; the encoder has the classifier\'s weights, the head is per position', () => {
    const tagger = buildTransformerTagger(options);
    assert.deepEqual(tagger.outputs[0].shape, [null, 6, 11]);
    const classifier = buildTransformerClassifier(options);
    // same trunk and the same dense head (16 -> 11): the same number of weights, no pooling layer
    assert.equal(tagger.countParams(), classifier.countParams());
    assert.ok(!tagger.layers.some((l) => l.name === 'mean_pooling'));
    // the same seed gives the same embedding and attention weights whatever the head
    for (const name of ['token_embedding', 'block1_attention']) {
      tagger.getLayer(name).getWeights().forEach((w, i) => assertClose(w.dataSync(), classifier.getLayer(name).getWeights()[i].dataSync(), 0, name));
    }
    const ids = paddedIds([6, 6, 4], 6, 11, 2);
    const probs = tagger.predict(ids) as tf.Tensor;
    assertClose(tf.tidy(() => tf.sum(probs, -1)).dataSync(), new Array(18).fill(1), 1e-5, 'probabilities per position');
    tf.dispose([ids, probs]);
    tagger.dispose();
    classifier.dispose();
  });

  it('evaluateTagger: accuracy per token, per sequence and per position', async () => {
    // a fixed "model" that predicts class (id + 1) % 3 at every position
    const x = tf.tensor2d([[0, 1, 2], [2, 2, 0]], [2, 3], 'int32');
    const input = tf.input({ shape: [3], dtype: 'int32' });
    const shifted = tf.layers.embedding({ inputDim: 3, outputDim: 3, weights: [tf.tensor2d([[0, 1, 0], [0, 0, 1], [1, 0, 0]])] }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: shifted });
    const y = tf.tensor2d([[1, 2, 0], [0, 1, 1]], [2, 3], 'int32');
    const report = await evaluateTagger(model, x, y);
    assert.deepEqual(Array.from(report.predictions), [1, 2, 0, 0, 0, 1]);
    assert.equal(report.tokenAccuracy, 5 / 6);
    assert.equal(report.sequenceAccuracy, 1 / 2);
    assert.deepEqual(report.accuracyByPosition, [1, 0.5, 1]);
    await assert.rejects(evaluateTagger(model, x, tf.zeros([2, 4])), /labels \[2,4\] do not match/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects a one-unit output', () => {
    assert.throws(() => buildTransformerTagger({ ...options, outputs: 1 }), /outputs must be an integer >= 2/);
  });

  it('fitModel takes class ids per position [n, time]; one-hot per position is refused for the sparse loss', async () => {
    const data = makeSequenceTask({ task: 'reverse', length: 6, symbols: 10, train: 1024, test: 128, seed: 1 });
    const model = compileClassifier(buildTransformerTagger({ ...options, dropout: 0 }), { optimizer: 'adam', learningRate: 0.01 });
    const oneHot = tf.oneHot(data.train.y, 11);
    assert.throws(() => checkLabelFormat(model, oneHot), /one-hot\?\) but the loss expects class ids/);
    checkLabelFormat(model, data.train.y);
    const history = await fitModel(model, { x: data.train.x, y: data.train.y }, { epochs: 6, batchSize: 32, seed: 2, validation: { x: data.test.x, y: data.test.y } });
    const accuracy = history.epochs.map((e) => e.valMetrics?.acc as number);
    // chance is 1/10 per position; reversing needs attention to the mirrored position
    assert.ok(accuracy[accuracy.length - 1] > 0.8, `validation accuracy per position ${accuracy.join(' -> ')}`);
    const report = await evaluateTagger(model, data.test.x, data.test.y);
    assert.equal(report.predictions.length, 128 * 6);
    assert.ok(Math.abs(report.tokenAccuracy - accuracy[accuracy.length - 1]) < 1e-6, 'the same token accuracy as the fit metric');
    assert.ok(Math.abs(report.accuracyByPosition.reduce((a, b) => a + b) / 6 - report.tokenAccuracy) < 1e-6);
    assert.ok(report.sequenceAccuracy <= report.tokenAccuracy);
    tf.dispose([oneHot, data.train.x, data.train.y, data.test.x, data.test.y]);
    model.dispose();
  });

  it('round-trips through save/load, and its attention weights can be plotted', async () => {
    const model = buildTransformerTagger({ ...options, numLayers: 2, causal: true });
    const loaded = await saveAndReload(model);
    const ids = paddedIds([6, 5], 6, 11, 3);
    const [a, b] = [model, loaded].map((m) => m.predict(ids) as tf.Tensor);
    assertClose(b.dataSync(), a.dataSync(), 1e-6, 'predictions after reload');
    const probe = buildTransformerAttentionModel(loaded, 2);
    const weights = probe.predict(ids) as tf.Tensor;
    assert.deepEqual(weights.shape, [2, 2, 6, 6]);
    const w = weights.arraySync() as number[][][][];
    assert.ok(w[0][1][0].slice(1).every((v) => v < 1e-7), 'causal: the first query sees only itself');
    tf.dispose([ids, a, b, weights]);
    probe.layers.forEach((l) => l.name.endsWith('_probe') && l.dispose());
    model.dispose();
    loaded.dispose();
  });
});

import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildCifarCnn, buildMlp, buildMnistCnn } from '../../lib/src/models';
import { checkLabelFormat, compileClassifier } from '../../lib/src/train';
import { assertNoTensorLeak, seededTensor, trainBriefly, useCpuBackend } from './support';

describe('models: MLP and CNN builders', () => {
  before(useCpuBackend);

  describe('buildMlp', () => {
    it('has the expected shape and parameter count, and hidden layers as asked', () => {
      const model = buildMlp({ inputDim: 2, hidden: [8, 4], outputs: 1, activation: 'tanh', seed: 1 });
      assert.deepEqual(model.outputs[0].shape, [null, 1]);
      assert.equal(model.countParams(), 2 * 8 + 8 + (8 * 4 + 4) + (4 + 1));
      assert.deepEqual(
        model.layers.map((l) => l.getClassName()),
        ['Dense', 'Dense', 'Dense'],
      );
      model.dispose();
    });

    it('softmax for several outputs, dropout layers and L2 losses when asked', () => {
      const model = buildMlp({ inputDim: 2, hidden: [6], outputs: 3, activation: 'relu', dropout: 0.3, l2: 0.01, seed: 1 });
      assert.equal(model.countParams(), 2 * 6 + 6 + 6 * 3 + 3);
      assert.deepEqual(model.layers.map((l) => l.getClassName()), ['Dense', 'SeededDropout', 'Dense']);
      assert.equal(
        model.layers.reduce((n, l) => n + l.losses.length, 0),
        2,
        'one L2 term per kernel',
      );
      const out = model.predict(tf.ones([4, 2])) as tf.Tensor;
      const sums = tf.sum(out, 1);
      for (const s of sums.dataSync()) assert.ok(Math.abs(s - 1) < 1e-5, 'softmax rows sum to 1');
      tf.dispose([out, sums]);
      model.dispose();
    });

    it('no hidden layers gives logistic regression', () => {
      const model = buildMlp({ inputDim: 5, hidden: [], outputs: 1, activation: 'relu', seed: 3 });
      assert.equal(model.countParams(), 6);
      model.dispose();
    });

    it('the same seed gives the same weights, another seed different ones', () => {
      const weights = (seed: number) => {
        const m = buildMlp({ inputDim: 2, hidden: [4], outputs: 1, activation: 'relu', seed });
        const w = Array.from(m.getWeights()[0].dataSync());
        m.dispose();
        return w;
      };
      assert.deepEqual(weights(7), weights(7));
      assert.notDeepEqual(weights(7), weights(8));
    });

    it('learns XOR without leaking tensors', async () => {
      const model = buildMlp({ inputDim: 2, hidden: [8], outputs: 1, activation: 'tanh', seed: 2 });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
      const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const y = tf.tensor2d([[0], [1], [1], [0]]);
      const { first, last } = await trainBriefly(model, x, y, 150);
      assert.ok(last < first * 0.3, `loss ${first} -> ${last}`);
      tf.dispose([x, y]);
      model.dispose();
    });

    it('rejects bad options clearly', () => {
      assert.throws(() => buildMlp({ inputDim: 0, hidden: [], outputs: 1, activation: 'relu' }), /inputDim/);
      assert.throws(() => buildMlp({ inputDim: 2, hidden: [3], outputs: 1, activation: 'relu', dropout: 1 }), /dropout/);
    });
  });

  describe('buildMnistCnn', () => {
    it('maps 28x28x1 images to 10 probabilities with 184,586 parameters', () => {
      const model = buildMnistCnn({ seed: 1 });
      assert.deepEqual(model.inputs[0].shape, [null, 28, 28, 1]);
      assert.deepEqual(model.outputs[0].shape, [null, 10]);
      assert.equal(model.countParams(), 832 + 51264 + 131200 + 1290);
      assert.equal(model.layers.filter((l) => l.getClassName() === 'SeededDropout').length, 2);
      model.dispose();
    });

    it('compiled by compileClassifier, trains on class ids as the loader gives them, and says so for one-hot rows', async () => {
      const model = compileClassifier(buildMnistCnn({ seed: 1, filters: [2, 4], denseUnits: 8 }));
      const x = tf.zeros([3, 28, 28, 1]);
      const ids = tf.tensor1d([3, 0, 9]);
      const history = await model.fit(x, ids, { epochs: 1, verbose: 0 });
      assert.ok(Number.isFinite(history.history.loss[0] as number));
      const oneHot = tf.oneHot(tf.tensor1d([3, 0, 9], 'int32'), 10);
      assert.throws(() => checkLabelFormat(model, oneHot), /one-hot\?\) but the loss expects class ids: compile with labels: 'onehot'/);
      tf.dispose([x, ids, oneHot]);
      model.dispose();
    });

    it('fits a small batch (loss falls) without leaking tensors', async () => {
      // Dropout off: this test is about the convolutions' loss curve.
      const model = buildMnistCnn({ seed: 1, filters: [4, 8], denseUnits: 16, dropout: 0 });
      model.compile({ optimizer: tf.train.adam(0.02), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tidy(() => tf.add(seededTensor([5, 28, 28, 1], 5, 0.5), 0.5));
      const y = tf.tensor1d([0, 1, 2, 3, 4]);
      const { first, last } = await trainBriefly(model, x, y, 15);
      assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
      tf.dispose([x, y]);
      model.dispose();
    });
  });

  describe('buildCifarCnn', () => {
    it('builds three conv blocks with batch norm: 289,642 parameters, 10 outputs', () => {
      const model = buildCifarCnn({ seed: 1 });
      assert.deepEqual(model.outputs[0].shape, [null, 10]);
      assert.equal(model.countParams(), 289642);
      const kinds = model.layers.map((l) => l.getClassName());
      assert.equal(kinds.filter((k) => k === 'Conv2D').length, 6);
      assert.equal(kinds.filter((k) => k === 'BatchNormalization').length, 6);
      assert.equal(kinds.filter((k) => k === 'MaxPooling2D').length, 3);
      model.dispose();
    });

    it('without batch norm the convolutions get biases', () => {
      const model = buildCifarCnn({ widths: [4, 8], batchNorm: false, dropout: 0, seed: 1 });
      assert.equal(model.countParams(), 3 * 3 * 3 * 4 + 4 + (3 * 3 * 4 * 4 + 4) + (3 * 3 * 4 * 8 + 8) + (3 * 3 * 8 * 8 + 8) + 8 * 10 + 10);
      assert.ok(!model.layers.some((l) => l.getClassName() === 'SeededDropout'));
      model.dispose();
    });

    it('fits a small batch (loss falls) without leaking tensors', async () => {
      await assertNoTensorLeak(() => buildCifarCnn({ widths: [4, 8], seed: 2 }).dispose(), 'building and disposing');
      const model = buildCifarCnn({ widths: [4, 8], dropout: 0, seed: 2, inputShape: [12, 12, 3] }); // deterministic: no dropout
      assert.equal(model.countParams(), 1302, 'global pooling: the count does not depend on the image size');
      model.compile({ optimizer: tf.train.adam(0.03), loss: 'sparseCategoricalCrossentropy' });
      const x = seededTensor([6, 12, 12, 3], 9);
      const y = tf.tensor1d([0, 1, 2, 3, 4, 5]);
      const { first, last } = await trainBriefly(model, x, y, 12);
      assert.ok(last < first * 0.7, `loss ${first} -> ${last}`);
      tf.dispose([x, y]);
      model.dispose();
    });
  });
});

/**
 * The course's batch normalisation against tf.layers.batchNormalization, on cpu and on wasm: the same outputs,
 * gradients (x, gamma, beta) and moving averages in training, the same inference, and serialisation as the stock
 * layer, so that a saved model loads in plain TF.js.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';
import { batchNormalization, BatchNormalizationArgs } from '../../lib/src/models';
import { batchNormInTraining } from '../../lib/src/ops';
import { BackendUnderTest, assertAllClose, computeOn, prepareBackends, randomTensor, restoreBackend, toTensor, PlainTensor } from '../kernels/backend-compare';

const rng = new Rng(11);

/** Outputs, gradients and moving averages of one training call of a layer with the given weights. */
function trainingCall(make: (args: BatchNormalizationArgs) => tf.layers.Layer, x: PlainTensor, r: PlainTensor, weights: PlainTensor[], args: BatchNormalizationArgs): () => tf.Tensor[] {
  return () => {
    const layer = make(args);
    layer.build(x.shape);
    layer.setWeights(weights.map(toTensor));
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, toTensor(r)));
    const { value, grads } = tf.variableGrads(() => loss(toTensor(x)) as tf.Scalar, [gamma, beta]);
    const dx = tf.grad(loss)(toTensor(x));
    // Two training calls so far (variableGrads, grad): the moving averages moved twice.
    const averages = layer.getWeights().slice(2);
    return [layer.apply(toTensor(x), { training: true }) as tf.Tensor, value, dx, grads[gamma.name], grads[beta.name], ...averages];
  };
}

describe('models: batchNormalization (closed-form training gradient) vs tf.layers.batchNormalization', function () {
  this.timeout(60000);
  before(prepareBackends);
  after(restoreBackend);

  const cases: [string, number[], BatchNormalizationArgs][] = [
    ['conv activations [4,5,5,6], defaults', [4, 5, 5, 6], {}],
    ['dense activations [7,9], momentum 0.9, epsilon 1e-5', [7, 9], { momentum: 0.9, epsilon: 1e-5 }],
    ['a sequence [3,4,8] (rank 3)', [3, 4, 8], {}],
    ['one example per channel value: [1,2,2,4]', [1, 2, 2, 4], {}],
  ];
  for (const backend of ['cpu', 'wasm'] as BackendUnderTest[]) {
    for (const [name, shape, args] of cases) {
      it(`${backend}: ${name}`, async () => {
        const channels = shape[shape.length - 1];
        const x = randomTensor(rng, shape, 3);
        const r = randomTensor(rng, shape);
        const weights = [
          randomTensor(rng, [channels], 2), // gamma
          randomTensor(rng, [channels]), // beta
          randomTensor(rng, [channels]), // moving mean
          { shape: [channels], values: Array.from({ length: channels }, () => rng.uniform(0.5, 2)) }, // moving variance
        ];
        const expected = await computeOn(backend, trainingCall((a) => tf.layers.batchNormalization(a), x, r, weights, args));
        const actual = await computeOn(backend, trainingCall(batchNormalization, x, r, weights, args));
        const labels = ['output', 'loss', 'dx', 'dgamma', 'dbeta', 'moving mean', 'moving variance'];
        actual.forEach((a, i) => assertAllClose(a, expected[i], `${backend} ${name}: ${labels[i]}`, 1e-4));
      });
    }
  }

  it('inference uses the moving averages, exactly as the stock layer', async () => {
    const x = randomTensor(rng, [2, 3, 3, 4]);
    const compute = (make: () => tf.layers.Layer) => () => {
      const layer = make();
      layer.build(x.shape);
      layer.setWeights([[1.5, 0.5, 2, 1], [0.1, 0.2, 0.3, 0.4], [0.5, -0.5, 0, 1], [2, 1, 0.5, 4]].map((v) => tf.tensor1d(v)));
      return layer.apply(toTensor(x)) as tf.Tensor;
    };
    const [expected] = await computeOn('wasm', compute(() => tf.layers.batchNormalization({})));
    const [actual] = await computeOn('wasm', compute(() => batchNormalization({})));
    assert.deepEqual(actual.values, expected.values);
  });

  it('another axis goes to the stock training pass', async () => {
    const x = randomTensor(rng, [3, 4, 5]);
    for (const args of [{ axis: 1 }, { axis: -2 }] as BatchNormalizationArgs[]) {
      const compute = (make: (a: BatchNormalizationArgs) => tf.layers.Layer) => () => {
        const layer = make(args);
        return layer.apply(toTensor(x), { training: true }) as tf.Tensor;
      };
      const [expected] = await computeOn('cpu', compute((a) => tf.layers.batchNormalization(a)));
      const [actual] = await computeOn('cpu', compute(batchNormalization));
      assert.deepEqual(actual.values, expected.values, JSON.stringify(args));
    }
  });

  it('serialises as BatchNormalization: a saved model loads as the stock layer with the same outputs', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [batchNormalization({ inputShape: [3], name: 'bn', momentum: 0.8 })] });
    model.setWeights([[2, 1, 0.5], [0, 1, 2], [1, 2, 3], [1, 4, 9]].map((v) => tf.tensor1d(v)));
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: { momentum: number } }[] } };
    assert.equal(json.config.layers[0].class_name, 'BatchNormalization');
    assert.equal(json.config.layers[0].config.momentum, 0.8);
    const loaded = (await tf.models.modelFromJSON({ modelTopology: json } as unknown as tf.io.ModelJSON)) as tf.LayersModel;
    loaded.setWeights(model.getWeights());
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(await (loaded.predict(x) as tf.Tensor).array(), await (model.predict(x) as tf.Tensor).array());
    assert.equal(loaded.layers[0].getClassName(), 'BatchNormalization');
    tf.dispose([x, ...loaded.weights.map((w) => w.read()), ...model.weights.map((w) => w.read())]);
  });

  it('batchNormInTraining refuses a gamma or beta of the wrong size, naming it', () => {
    const x = tf.zeros([2, 3]);
    assert.throws(() => batchNormInTraining(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3), /gamma has shape \[4\], expected \[3\]/);
    assert.throws(() => batchNormInTraining(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([3, 1]) as unknown as tf.Tensor1D, 1e-3), /beta has shape \[3,1\], expected \[3\]/);
    assert.throws(() => batchNormInTraining(tf.zeros([3]), tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3), /expects \[\.\.\., channels\]/);
  });

  it('leaves no tensor behind in a training step', async () => {
    await tf.setBackend('wasm');
    const layer = batchNormalization({});
    layer.build([4, 3]);
    const x = tf.randomNormal([4, 3]);
    const optimizer = tf.train.sgd(0.1);
    optimizer.minimize(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) optimizer.minimize(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, ...layer.weights.map((w) => w.read())]);
    optimizer.dispose();
  });
});

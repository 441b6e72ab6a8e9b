/**
 * The course's layer normalisation against tf.layers.layerNormalization, on cpu and on wasm: the same outputs and
 * gradients (x, gamma, beta), stock behaviour for other axes, serialisation as the stock layer, no leaks.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';
import { layerNormalization, LayerNormalizationArgs } from '../../lib/src/models';
import { layerNorm } from '../../lib/src/ops';
import { BackendUnderTest, assertAllClose, computeOn, prepareBackends, randomTensor, restoreBackend, toTensor, PlainTensor } from '../kernels/backend-compare';

const rng = new Rng(12);

/** Output, loss, dx, dgamma, dbeta of a layer with the given gamma and beta. */
function call(make: (args: LayerNormalizationArgs) => tf.layers.Layer, x: PlainTensor, r: PlainTensor, weights: PlainTensor[], args: LayerNormalizationArgs): () => tf.Tensor[] {
  return () => {
    const layer = make(args);
    layer.build(x.shape);
    layer.setWeights(weights.map(toTensor));
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, toTensor(r)));
    const { value, grads } = tf.variableGrads(() => loss(toTensor(x)) as tf.Scalar, [gamma, beta]);
    return [layer.apply(toTensor(x)) as tf.Tensor, value, tf.grad(loss)(toTensor(x)), grads[gamma.name], grads[beta.name]];
  };
}

describe('models: layerNormalization (broadcast, closed-form gradient) vs tf.layers.layerNormalization', function () {
  this.timeout(60000);
  before(prepareBackends);
  after(restoreBackend);

  const cases: [string, number[], LayerNormalizationArgs][] = [
    ['a Transformer activation [3,5,8], defaults', [3, 5, 8], {}],
    ['rows of a matrix [6,7], epsilon 1e-5', [6, 7], { epsilon: 1e-5 }],
    ['axis given as [-1] on [2,3,2,4]', [2, 3, 2, 4], { axis: [-1] }],
  ];
  for (const backend of ['cpu', 'wasm'] as BackendUnderTest[]) {
    for (const [name, shape, args] of cases) {
      it(`${backend}: ${name}`, async () => {
        const width = shape[shape.length - 1];
        const x = randomTensor(rng, shape, 3);
        const r = randomTensor(rng, shape);
        const weights = [randomTensor(rng, [width], 2), randomTensor(rng, [width])];
        const expected = await computeOn(backend, call((a) => tf.layers.layerNormalization(a), x, r, weights, args));
        const actual = await computeOn(backend, call(layerNormalization, x, r, weights, args));
        const labels = ['output', 'loss', 'dx', 'dgamma', 'dbeta'];
        actual.forEach((a, i) => assertAllClose(a, expected[i], `${backend} ${name}: ${labels[i]}`, 1e-4));
      });
    }
  }

  it('other axes go to the stock layer', async () => {
    const x = randomTensor(rng, [3, 4, 5]);
    for (const args of [{ axis: 1 }, { axis: [1, 2] }] as LayerNormalizationArgs[]) {
      const compute = (make: (a: LayerNormalizationArgs) => tf.layers.Layer) => () => make(args).apply(toTensor(x)) as tf.Tensor;
      const [expected] = await computeOn('cpu', compute((a) => tf.layers.layerNormalization(a)));
      const [actual] = await computeOn('cpu', compute(layerNormalization));
      assert.deepEqual(actual.values, expected.values, JSON.stringify(args));
    }
  });

  it('serialises as LayerNormalization', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [layerNormalization({ inputShape: [3], name: 'norm', epsilon: 1e-4 })] });
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: { epsilon: number } }[] } };
    assert.equal(json.config.layers[0].class_name, 'LayerNormalization');
    assert.equal(json.config.layers[0].config.epsilon, 1e-4);
    tf.dispose(model.weights.map((w) => w.read()));
  });

  it('layerNorm refuses a gamma or beta of the wrong size, and leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 3]);
    assert.throws(() => layerNorm(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3), /gamma has shape \[4\], expected \[3\]/);
    const gamma = tf.variable(tf.ones([3]));
    const beta = tf.variable(tf.zeros([3]));
    const optimizer = tf.train.sgd(0.1);
    const step = () => optimizer.minimize(() => tf.sum(tf.square(layerNorm(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 1e-3))) as tf.Scalar);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, gamma, beta]);
    optimizer.dispose();
  });
});

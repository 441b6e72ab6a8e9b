/**
 * FoldedInference: batch norms folded into the convolutions before them and ReLU / ReLU6 fused, checked against the
 * layers model it came from (a small chain with non-trivial statistics, and the real frozen MobileNet base).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { dataDir } from '../../lib/src/config';
import { registerCourseKernels } from '../../lib/src/kernels';
import { FoldedInference, loadMobileNetSplit } from '../../lib/src/models';
import { skipBecause } from '../skip-reasons';
import { seededTensor } from './support';

/** conv (with bias) - BN - ReLU6, depthwise (multiplier 2, stride 2) - BN - ReLU, pad, pointwise - BN, pooling. */
function smallChain(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }));
  model.add(tf.layers.batchNormalization({ name: 'c1_bn' }));
  model.add(tf.layers.activation({ activation: 'relu6', name: 'c1_relu' }));
  model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid', useBias: false, name: 'dw' }));
  model.add(tf.layers.batchNormalization({ name: 'dw_bn', epsilon: 0.01 }));
  model.add(tf.layers.reLU({ name: 'dw_relu' }));
  model.add(tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }));
  model.add(tf.layers.conv2d({ filters: 5, kernelSize: 1, useBias: false, name: 'pw' }));
  model.add(tf.layers.batchNormalization({ name: 'pw_bn' }));
  model.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
  // statistics far from the initial ones (mean 0, variance 1, gamma 1, beta 0), so a wrong fold shows
  let seed = 10;
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, k) => tf.tidy(() => {
      const r = seededTensor(w.shape, seed++);
      return k === 3 ? r.abs().add(0.2) : r.mul(k === 0 ? 1.5 : 0.7);
    })));
  }
  // shift the depthwise outputs up so that the plain ReLU after them passes 6 (a fused ReLU6 there would show)
  const dwBn = model.getLayer('dw_bn');
  dwBn.setWeights(dwBn.getWeights().map((w, k) => (k === 1 ? tf.add(w, 6) : w)));
  return model;
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('models: FoldedInference (batch norm folded into convolutions, activations fused)', function () {
  this.timeout(120_000);
  before(() => registerCourseKernels());

  for (const backend of ['cpu', 'wasm']) {
    it(`on ${backend}: a small chain gives the layers model's inference output, in fewer calls`, async () => {
      assert.ok(await tf.setBackend(backend));
      const model = smallChain();
      const folded = FoldedInference.fromModel(model);
      assert.deepEqual(folded.plan, [['c1', 'c1_bn', 'c1_relu'], ['dw', 'dw_bn', 'dw_relu'], ['pad'], ['pw', 'pw_bn'], ['pool']]);
      const x = seededTensor([2, 9, 9, 3], 3).mul(2);
      const expected = model.predict(x) as tf.Tensor;
      const before = tf.memory().numTensors;
      const got = folded.apply(x);
      assert.equal(tf.memory().numTensors, before + 1, 'apply leaves only its output');
      assert.deepEqual(got.shape, expected.shape);
      assert.ok(maxDifference(got, expected) < 1e-4, `largest difference ${maxDifference(got, expected)}`);
      // the same inside a gradient tape (as the frozen part of a training step), where it calls the fused kernels itself
      const [sum] = tf.tidy(() => tf.grads((w: tf.Tensor) => folded.apply(x).mul(w).sum())([tf.scalar(1)]).map((g) => g.dataSync()[0]));
      const expectedSum = tf.tidy(() => expected.sum().dataSync()[0]);
      assert.ok(Math.abs(sum - expectedSum) < 1e-3 * Math.max(1, Math.abs(expectedSum)), `${sum} vs ${expectedSum}`);
      // disposing the folded network frees its copies only: the model still runs
      folded.dispose();
      const again = model.predict(x) as tf.Tensor;
      assert.equal(maxDifference(again, expected), 0);
      tf.dispose([x, expected, got, again]);
      model.dispose();
    });
  }

  it('refuses what it cannot fold: a branch, an activation it cannot fuse into the convolution', () => {
    const input = tf.input({ shape: [5, 5, 2] });
    const a = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor });
    assert.throws(() => FoldedInference.fromModel(branched), /needs a chain of layers/);
    const tanh = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 2, kernelSize: 1, activation: 'tanh', name: 'c_tanh' })] });
    assert.throws(() => FoldedInference.fromModel(tanh), /'c_tanh' has an activation it cannot fuse/);
    tf.dispose([branched, tanh].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('the real frozen MobileNet base (stem and blocks 1-12): same features on a 224x224 batch, 3x fewer calls', async function () {
    const dir = path.join(dataDir(), 'models', 'mobilenet_v1_0.25_224');
    if (!fs.existsSync(path.join(dir, 'model.json'))) skipBecause(this, `no MobileNet in ${dir} (set DATASETS_DIR)`);
    assert.ok(await tf.setBackend('wasm'));
    const { base, top } = await loadMobileNetSplit(dir);
    const folded = FoldedInference.fromModel(base);
    const layers = base.layers.length - 1;
    assert.ok(folded.plan.length * 2.5 < layers, `${folded.plan.length} calls for ${layers} layers`);
    const images = tf.tidy(() => seededTensor([2, 224, 224, 3], 7).clipByValue(-1, 1));
    const expected = base.predict(images) as tf.Tensor;
    const got = folded.apply(images);
    // features are ReLU6 outputs in [0, 6]
    assert.ok(maxDifference(got, expected) < 1e-3, `largest difference ${maxDifference(got, expected)}`);
    tf.dispose([images, expected, got]);
    folded.dispose();
    base.dispose();
    top.dispose();
  });
});

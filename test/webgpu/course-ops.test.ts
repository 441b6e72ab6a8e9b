/**
 * The course's own ops on webgpu: their kernels are registered for wasm and cpu only, so on webgpu each must take
 * its TF.js-ops path, and that path must give the cpu backend's values and gradients (cpu runs the course kernels).
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';
import { ADAM_UPDATE, CROSS_ENTROPY, LSTM_FORWARD_KERNEL, SOFTMAX_GRAD, hasKernel } from '../../lib/src/kernels';
import { pairFeatureTensor } from '../../lib/src/models';
import { classifierCrossEntropy, lstmSequence } from '../../lib/src/ops';
import { adam } from '../../lib/src/train';
import { PlainTensor, assertAllClose, computeOn, randomTensor, toTensor } from '../kernels/backend-compare';
import { useWebGpu } from './webgpu-suite';

/** Compute on cpu and on webgpu and compare every output. */
async function assertWebGpuMatchesCpu(label: string, compute: () => tf.Tensor | tf.Tensor[], rtol = 1e-4): Promise<void> {
  const expected = await computeOn('cpu', compute);
  const actual = await computeOn('webgpu', compute);
  assert.equal(actual.length, expected.length, `${label}: number of outputs`);
  actual.forEach((a, i) => assertAllClose(a, expected[i], `${label} [output ${i}]`, rtol, 1e-6));
}

const rng = new Rng(23);

describe('webgpu: the course ops fall back to TF.js ops and match cpu', function () {
  useWebGpu();

  it('no course kernel is registered for webgpu (so none can be half-used)', async () => {
    await tf.setBackend('webgpu');
    for (const kernel of [CROSS_ENTROPY, SOFTMAX_GRAD, LSTM_FORWARD_KERNEL, ADAM_UPDATE]) assert.equal(hasKernel(kernel), false, kernel);
    await tf.setBackend('cpu');
    assert.equal(hasKernel(CROSS_ENTROPY), true, 'the comparison runs the course kernels on cpu');
  });

  it('Cast of int32 and bool to float32 converts the values (the stock kernel relabels the buffer)', () => {
    // big enough that webgpu computes on the GPU, not on its CPU copy; a sum over the leading axis transposes first
    const ids: PlainTensor = { shape: [4, 300, 3], values: Array.from({ length: 3600 }, (_, i) => (i * 7) % 11), dtype: 'int32' };
    return assertWebGpuMatchesCpu('cast', () => {
      const x = tf.add(toTensor(ids), tf.scalar(1, 'int32'));
      return [tf.sum(tf.cast(x, 'float32'), 0), tf.sum(tf.cast(tf.greater(x, 5), 'float32'), 1)];
    });
  });

  const logits = randomTensor(rng, [6, 5], 3);
  const upstream = randomTensor(rng, [6]);
  const oneHot: PlainTensor = { shape: [6, 5], values: [2, 0, 4, 1, 1, 3].flatMap((c) => [0, 1, 2, 3, 4].map((j) => (j === c ? 1 : 0))) };
  const ids: PlainTensor = { shape: [6], values: [2, 0, 4, 1, 1, 3], dtype: 'int32' };
  for (const [kind, labels, sparse] of [['categorical', oneHot, false], ['sparse', ids, true]] as const) {
    it(`classifier cross-entropy (${kind}) after softmax: loss, and gradient through the course's softmax gradient`, () =>
      assertWebGpuMatchesCpu(kind, () => {
        const y = toTensor(labels);
        const loss = (z: tf.Tensor) => tf.sum(tf.mul(classifierCrossEntropy(y, tf.softmax(z), sparse), toTensor(upstream)));
        const z = toTensor(logits);
        return [classifierCrossEntropy(y, tf.softmax(z), sparse), tf.grad(loss)(z)];
      }));
  }

  for (const gates of ['hardSigmoid', 'sigmoid'] as const) {
    it(`lstmSequence (${gates} gates): states and the gradients of input, kernel, recurrent kernel and bias`, () => {
      const x = randomTensor(rng, [3, 6, 4]);
      const kernel = randomTensor(rng, [4, 20], 0.5);
      const recurrent = randomTensor(rng, [5, 20], 0.5);
      const bias = randomTensor(rng, [20], 0.5);
      const r = randomTensor(rng, [3, 6, 5]);
      return assertWebGpuMatchesCpu(`lstm ${gates}`, () => {
        const f = (xt: tf.Tensor, k: tf.Tensor, u: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(lstmSequence(xt as tf.Tensor3D, { kernel: k as tf.Tensor2D, recurrentKernel: u as tf.Tensor2D, bias: b as tf.Tensor1D }, gates), toTensor(r)));
        const inputs = [x, kernel, recurrent, bias].map(toTensor);
        const states = lstmSequence(inputs[0] as tf.Tensor3D, { kernel: inputs[1] as tf.Tensor2D, recurrentKernel: inputs[2] as tf.Tensor2D, bias: inputs[3] as tf.Tensor1D }, gates);
        return [states, ...tf.grads(f)(inputs)];
      });
    });
  }

  it('pairFeatureTensor [u, v, |u-v|, u*v]: values and gradients of u and v', () => {
    const u = randomTensor(rng, [4, 6]);
    const v = randomTensor(rng, [4, 6]);
    const r = randomTensor(rng, [4, 24]);
    return assertWebGpuMatchesCpu('pair features', () => {
      const [ut, vt] = [u, v].map(toTensor);
      return [pairFeatureTensor(ut, vt), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(pairFeatureTensor(a, b), toTensor(r))))([ut, vt])];
    });
  });

  it("the course's adam(): three steps give cpu's variables", async () => {
    const w0 = randomTensor(rng, [7, 5]);
    const b0 = randomTensor(rng, [5]);
    const xs = randomTensor(rng, [9, 7]);
    const run = async (backend: 'cpu' | 'webgpu') => {
      await tf.setBackend(backend);
      const w = tf.variable(toTensor(w0));
      const b = tf.variable(toTensor(b0));
      const x = toTensor(xs);
      const optimizer = adam(0.05);
      for (let step = 0; step < 3; step++) optimizer.minimize(() => tf.mean(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar);
      const values = [w, b].map((t) => ({ shape: t.shape.slice(), values: Array.from(t.dataSync()) }));
      tf.dispose([w, b, x]);
      optimizer.dispose();
      return values;
    };
    const expected = await run('cpu');
    const actual = await run('webgpu');
    actual.forEach((a, i) => assertAllClose(a, expected[i], `adam variable ${i}`, 1e-4, 1e-6));
  });
});

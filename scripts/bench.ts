/**
 * `npm run bench`: training throughput (examples/s) of the reference models on every available TF.js backend,
 * side by side with PyTorch on the CPU, same architecture, batch size and optimizer (Adam).
 *
 *   npm run bench                       # all reference models, wasm (stock and course), cpu (MLP), PyTorch 1 and 2 threads
 *   npm run bench -- --quick            # shorter epochs, fewer repeats
 *   npm run bench -- --models mlp,lstm --backends wasm --no-torch
 *   npm run bench -- --save             # also write bench/results-<date>.json (the committed reference figures)
 *
 * Each figure is the median of several timed epochs after a warm-up epoch; epochs are sized to last about
 * --epoch-seconds. The machine may be shared: compare ratios measured in the same run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../lib/src/kernels';
import { registerWasmFusedKernels, restoreStockWasmKernels } from '../lib/src/kernels/fused-index';
import { buildReferenceModel, parseModelNames, ReferenceModelName } from './bench/models';
import { syntheticData } from './bench/synthetic';
import { epochRunner, TrainingLoop } from './bench/training-loops';
import { findTorchPython, runTorchBench, TorchResult } from './bench/torch';

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
  out: string;
}

interface Row {
  model: ReferenceModelName;
  backend: string;
  variant: Variant;
  loop: TrainingLoop;
  examplesPerEpoch: number;
  epochSeconds: number[];
  examplesPerSec: number;
  leakedTensors: number;
  error?: string;
}

const BENCH_MODELS: ReferenceModelName[] = ['mlp', 'cnn', 'lstm'];
const TORCH_MODELS = new Set(['mlp', 'cnn', 'lstm']);

function parseArgs(argv: string[]): Options {
  const options: Options = {
    models: BENCH_MODELS,
    backends: ['wasm', 'cpu', 'tensorflow'],
    variants: ['stock', 'course'],
    loops: ['fit', 'custom'],
    torch: true,
    torchThreads: [1, 2],
    epochs: 5,
    epochSeconds: 2,
    batchSize: 64,
    save: false,
    out: 'bench',
  };
  const list = (value: string | undefined, flag: string) => {
    if (value === undefined) throw new Error(`${flag} needs a value`);
    return value.split(',').map((s) => s.trim());
  };
  const oneOf = <T extends string>(values: string[], allowed: readonly T[], flag: string): T[] => {
    for (const v of values) if (!allowed.includes(v as T)) throw new Error(`${flag}: '${v}' is not one of ${allowed.join(', ')}`);
    return values as T[];
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case '--quick':
        options.epochs = 3;
        options.epochSeconds = 0.7;
        break;
      case '--models':
        options.models = parseModelNames(next() ?? '');
        break;
      case '--backends':
        options.backends = oneOf(list(next(), flag), ['wasm', 'cpu', 'tensorflow'] as const, flag);
        break;
      case '--variants':
        options.variants = oneOf(list(next(), flag), ['stock', 'course'] as const, flag);
        break;
      case '--loops':
        options.loops = oneOf(list(next(), flag), ['fit', 'custom'] as const, flag);
        break;
      case '--no-torch':
        options.torch = false;
        break;
      case '--torch-threads':
        options.torchThreads = list(next(), flag).map(Number);
        break;
      case '--epochs':
        options.epochs = positive(next(), flag);
        break;
      case '--epoch-seconds':
        options.epochSeconds = positive(next(), flag);
        break;
      case '--batch-size':
        options.batchSize = positive(next(), flag);
        break;
      case '--save':
        options.save = true;
        break;
      case '--out':
        options.out = next() ?? '';
        break;
      case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
        process.exit(0);
      default:
        throw new Error(`Unknown option '${flag}' (see --help)`);
    }
  }
  return options;
}

function positive(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got '${value}'`);
  return n;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function useBackend(choice: BackendChoice, variant: Variant): Promise<string | undefined> {
  if (choice === 'tensorflow') {
    try {
      const manifest = require('@tensorflow/tfjs-node/package.json') as { name?: string };
      if (manifest.name !== '@tensorflow/tfjs-node') return undefined;
      require('@tensorflow/tfjs-node');
    } catch {
      return undefined;
    }
  }
  if (choice === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    if (variant === 'stock') restoreStockWasmKernels();
    else registerWasmFusedKernels();
  }
  if (!(await tf.setBackend(choice))) return undefined;
  await tf.ready();
  return tf.getBackend();
}

async function measure(model: ReferenceModelName, backend: string, variant: Variant, loop: TrainingLoop, o: Options): Promise<Row> {
  const tensorsBefore = tf.memory().numTensors;
  const reference = buildReferenceModel(model, variant === 'course' ? 'fused' : 'layers');
  const maxBatches = 100;
  const data = syntheticData(model, o.batchSize * maxBatches);
  const runner = epochRunner(reference, data, loop, o.batchSize);
  const row: Row = { model, backend, variant, loop, examplesPerEpoch: 0, epochSeconds: [], examplesPerSec: 0, leakedTensors: 0 };
  try {
    // A short first epoch compiles and warms up; its speed sizes the timed epochs.
    let start = performance.now();
    await runner.epoch(o.batchSize * 2);
    start = performance.now();
    await runner.epoch(o.batchSize * 2);
    const rate = (o.batchSize * 2) / ((performance.now() - start) / 1000);
    const batches = Math.max(2, Math.min(maxBatches, Math.round((rate * o.epochSeconds) / o.batchSize)));
    row.examplesPerEpoch = batches * o.batchSize;
    await runner.epoch(row.examplesPerEpoch); // the warm-up epoch
    for (let e = 0; e < o.epochs; e++) {
      start = performance.now();
      await runner.epoch(row.examplesPerEpoch);
      row.epochSeconds.push((performance.now() - start) / 1000);
    }
    row.examplesPerSec = row.examplesPerEpoch / median(row.epochSeconds);
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
  } finally {
    runner.dispose();
    reference.model.dispose();
    tf.dispose([data.xs, data.ys]);
    row.leakedTensors = tf.memory().numTensors - tensorsBefore;
  }
  return row;
}

function plan(o: Options): { backend: BackendChoice; variant: Variant; loop: TrainingLoop; models: ReferenceModelName[] }[] {
  const runs: ReturnType<typeof plan> = [];
  for (const backend of o.backends) {
    if (backend === 'wasm') {
      if (o.variants.includes('stock') && o.loops.includes('fit')) runs.push({ backend, variant: 'stock', loop: 'fit', models: o.models });
      if (o.variants.includes('course')) for (const loop of o.loops) runs.push({ backend, variant: 'course', loop, models: o.models });
    } else {
      // cpu is ~100x slower than wasm: the MLP only. Native TensorFlow: every model.
      const models = backend === 'cpu' ? o.models.filter((m) => m === 'mlp') : o.models;
      if (models.length > 0) runs.push({ backend, variant: 'course', loop: 'fit', models });
    }
  }
  return runs;
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

function printTable(rows: Row[], torch: TorchResult[]): void {
  const torchRate = (model: string, threads: number) => torch.find((t) => t.model === model && t.threads === threads)?.examplesPerSec;
  const header = ['model', 'backend', 'variant', 'loop', 'examples/s', 'vs PyTorch 1t', 'vs PyTorch 2t'];
  const lines: string[][] = [header];
  for (const row of rows) {
    const t1 = torchRate(row.model, 1), t2 = torchRate(row.model, 2);
    const ratio = (t?: number) => (t && row.examplesPerSec ? (row.examplesPerSec / t).toFixed(2) : '-');
    lines.push([
      row.model,
      row.backend,
      row.variant,
      row.loop,
      row.error ? `error: ${row.error.slice(0, 60)}` : row.examplesPerSec.toFixed(0),
      ratio(t1),
      ratio(t2),
    ]);
  }
  for (const t of torch) {
    lines.push([t.model, `pytorch ${t.torch}`, `${t.threads} thread${t.threads > 1 ? 's' : ''}`, 'loop', t.examplesPerSec.toFixed(0), '', '']);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const [k, line] of lines.entries()) {
    console.log(line.map((cell, i) => pad(cell, widths[i], i >= 4)).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const run of plan(o)) {
    const backend = await useBackend(run.backend, run.variant);
    if (backend === undefined) {
      skipped.push(`${run.backend}: not installed`);
      continue;
    }
    for (const model of run.models) {
      // cpu gets a short budget: it is two orders of magnitude slower.
      const opts = run.backend === 'cpu' ? { ...o, epochs: Math.min(o.epochs, 3), epochSeconds: Math.min(o.epochSeconds, 1) } : o;
      const row = await measure(model, backend, run.variant, run.loop, opts);
      console.error(
        `${model} on ${backend} (${run.variant}, ${run.loop}): ${row.error ?? `${row.examplesPerSec.toFixed(0)} examples/s`}`,
      );
      rows.push(row);
    }
  }
  let torch: TorchResult[] = [];
  let torchNote: string | undefined;
  const torchModels = o.models.filter((m) => TORCH_MODELS.has(m));
  if (o.torch && torchModels.length > 0) {
    const python = findTorchPython();
    if (python === undefined) torchNote = 'no python on PATH (or TORCH_PYTHON) can import torch';
    else {
      console.error(`PyTorch with ${python}, threads ${o.torchThreads.join(', ')}`);
      torch = runTorchBench(python, {
        models: torchModels,
        threads: o.torchThreads,
        examples: { mlp: 6400, cnn: 3200, lstm: 3200 },
        epochs: o.epochs,
        batchSize: o.batchSize,
      });
    }
  }
  console.log('');
  printTable(rows, torch);
  for (const note of [...skipped, ...(torchNote ? [torchNote] : [])]) console.log(`skipped: ${note}`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, tfjs: tf.version.tfjs },
    settings: { batchSize: o.batchSize, epochs: o.epochs, epochSeconds: o.epochSeconds, optimizer: 'adam(1e-3)' },
    rows,
    torch,
    skipped: [...skipped, ...(torchNote ? [torchNote] : [])],
  };
  fs.mkdirSync(o.out, { recursive: true });
  const latest = path.join(o.out, 'latest.json');
  fs.writeFileSync(latest, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${latest}`);
  if (o.save) {
    const dated = path.join(o.out, `results-${report.date.slice(0, 10)}.json`);
    fs.writeFileSync(dated, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${dated}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

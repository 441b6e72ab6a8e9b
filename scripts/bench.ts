/**
 * `npm run bench`: training throughput (examples/s) of the reference models and the lessons' models on every
 * available TF.js backend, against PyTorch twins on the CPU (same architecture, batch size, loss and Adam 1e-3).
 *
 *   npm run bench                       # every model; wasm (stock and course) and PyTorch at 1..cores threads; cpu (MLP); webgpu on a GPU
 *   npm run bench -- --models mlp --backends webgpu,wasm   # webgpu also on a software adapter (CI's lavapipe)
 *   npm run bench -- --quick            # shorter epochs, fewer repeats
 *   npm run bench -- --models mlp,transformer --backends wasm --variants course --loops custom
 *   npm run bench -- --wasm-threads 2 --torch-threads 1,2   # chosen thread counts (one wasm count: no child processes)
 *   npm run bench -- --save             # also write results/reference/bench/results-<date>.json (the committed reference figures)
 *
 * Each figure is the median of several timed epochs after a warm-up epoch; epochs are sized to last about
 * --epoch-seconds. Each wasm thread count runs in a process of its own (the count is fixed at start-up). PyTorch runs
 * on the fastest OpenBLAS core type whose products check out against float64 (printed with its BLAS). Ratios
 * (`ratio...` in the JSON) compare ours with PyTorch's best thread count on the same cores. The machine may be
 * shared: compare ratios measured in the same run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { MAX_WASM_THREADS } from '@dl-course/lib/engine';
import { startBackend, useKernelVariant, webgpuUnwanted } from './bench/backend-variant';
import { missingFiles, trainableParams } from './bench/lesson-models';
import { loadReferenceModel, parseModelNames, REFERENCE_MODELS, ReferenceModel, ReferenceModelName } from './bench/models';
import { modelSummary, rowRatios, RowRatios } from './bench/ratios';
import { syntheticData, syntheticSize } from './bench/synthetic';
import { runAtThreads, upTo } from './bench/thread-runs';
import { EpochRunner, epochRunner, TrainingLoop } from './bench/training-loops';
import { findTorchPython, runTorchBench, setUpTorch, TorchResult } from './bench/torch';
import { printResults, reportTorchSetup } from './bench/report';
import { writeBenchOutput, writeBenchReference } from './bench/output';
import { choiceList, positiveInteger, positiveNumber } from './tooling/cli';

/** 'stock': tfjs-backend-wasm plus only the kernels it lacks, tf.layers.lstm. 'course': all course speed-ups. */
type Variant = 'stock' | 'course';
type BackendChoice = 'wasm' | 'webgpu' | 'cpu' | 'tensorflow';

interface Options {
  models: ReferenceModelName[];
  backends: BackendChoice[];
  /** --backends was given: webgpu then runs on a software adapter too. */
  backendsNamed: boolean;
  variants: Variant[];
  loops: TrainingLoop[];
  torch: boolean;
  torchThreads: number[];
  /** wasm thread counts; more than one: one child process each. */
  wasmThreads: number[];
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
  /** Trainable parameters (the PyTorch twin's must be the same). */
  params: number;
  leakedTensors: number;
  /** Resident set size (MB) after each timed epoch: flat when training does not leak. */
  rssMb: number[];
  error?: string;
}

/** Examples per PyTorch epoch (sized for ~0.5-2 s on one thread here: longer epochs time more steadily). */
const TORCH_EXAMPLES: Record<ReferenceModelName, number> = {
  mlp: 6400,
  cnn: 3200,
  lstm: 3200,
  'cifar-cnn': 640,
  'siamese-bilstm': 1280,
  transformer: 640,
  mobilenet: 256,
};
const CORES = os.availableParallelism();
const threadList = (flag: string, value: string | undefined, most: number) =>
  value === undefined ? upTo(most) : value.split(',').map((t) => positiveInteger(flag, t.trim(), 1));

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
      'wasm-threads': { type: 'string' },
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
    models: values.models === undefined ? [...REFERENCE_MODELS] : parseModelNames(values.models),
    backends: choiceList('--backends', values.backends, ['wasm', 'webgpu', 'cpu', 'tensorflow'] as const, ['wasm', 'webgpu', 'cpu', 'tensorflow']),
    backendsNamed: values.backends !== undefined,
    variants: choiceList('--variants', values.variants, ['stock', 'course'] as const, ['stock', 'course']),
    loops: choiceList('--loops', values.loops, ['fit', 'custom'] as const, ['fit', 'custom']),
    torch: !values['no-torch'],
    torchThreads: threadList('--torch-threads', values['torch-threads'], CORES),
    // the threaded wasm build has a fixed pool of MAX_WASM_THREADS workers
    wasmThreads: threadList('--wasm-threads', values['wasm-threads'], Math.min(CORES, MAX_WASM_THREADS)),
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
async function useBackend(choice: BackendChoice, variant: Variant, threads?: number): Promise<{ name: string; threads: number } | undefined> {
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
    const started = await startBackend(choice, variant, threads);
    return { name: tf.getBackend(), threads: started };
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
  const data = syntheticData(model, syntheticSize(model, o.batchSize * maxBatches, o.batchSize));
  const activate = (variant: Variant) => useKernelVariant(backend, variant);
  const runs: { config: Config; reference: ReferenceModel; runner: EpochRunner; row: Row }[] = [];
  for (const config of configs) {
    const reference = await loadReferenceModel(model, config.variant);
    const row: Row = {
      model, backend: tf.getBackend(), threads, ...config, examplesPerEpoch: 0, epochSeconds: [], examplesPerSec: 0,
      params: trainableParams(reference.model), leakedTensors: 0, rssMb: [],
    };
    runs.push({ config, reference, runner: epochRunner(reference, data, config.loop, o.batchSize), row });
  }
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

type RatedRow = Row & RowRatios;

async function main(): Promise<void> {
  const o = parseCommandLine();
  const rows: Row[] = [];
  const skipped = new Set<string>();
  const torch: TorchResult[] = [];
  const python = o.torch ? findTorchPython() : undefined;
  if (o.torch && python === undefined) skipped.add('pytorch: no python on PATH (or TORCH_PYTHON) can import torch');
  const setup = python === undefined ? undefined : setUpTorch(python);
  const torchBlas = setup === undefined ? undefined : reportTorchSetup(setup);
  const logRow = (r: Row) =>
    console.error(
      `${r.model} on ${r.backend}, ${r.threads} thread(s) (${r.variant}, ${r.loop}): ${
        r.error ?? `${r.examplesPerSec.toFixed(0)} examples/s, RSS after each epoch ${r.rssMb.join(' ')} MB`
      }`,
    );
  // Model by model, every backend and then PyTorch, so that the figures compared are measured close in time.
  const torchFor = (model: ReferenceModelName) =>
    setup === undefined
      ? []
      : runTorchBench(setup, { models: [model], threads: o.torchThreads, examples: TORCH_EXAMPLES, epochs: o.epochs, batchSize: o.batchSize });
  const childArgs = (model: ReferenceModelName, variants: Variant[]) => [
    '--models', model, '--backends', 'wasm', '--variants', variants.join(','), '--loops', o.loops.join(','), '--no-torch',
    '--epochs', String(o.epochs), '--epoch-seconds', String(o.epochSeconds), '--batch-size', String(o.batchSize),
  ];
  for (const model of o.models) {
    const missing = missingFiles(model);
    if (missing) {
      skipped.add(`${model}: ${missing}`);
      continue;
    }
    // PyTorch right before and right after this model's TF.js runs; the figure is the median over both.
    const torchBefore = torchFor(model);
    for (const backend of o.backends) {
      if (backend === 'cpu' && model !== 'mlp') continue; // ~100x slower than wasm: the MLP only
      const configs: Config[] = backend === 'wasm' ? wasmConfigs(o) : [{ variant: 'course', loop: 'fit' }];
      if (configs.length === 0) continue;
      if (backend === 'wasm' && o.wasmThreads.length > 1) {
        const most = Math.max(...o.wasmThreads);
        for (const threads of o.wasmThreads) {
          try {
            // The stock kernels ('before') only at the most threads: the other counts measure the course's scaling.
            const variants = threads === most || !o.variants.includes('course') ? o.variants : ['course' as const];
            rows.push(...runAtThreads<Row>(__filename, childArgs(model, variants), threads)); // the child logs its rows
          } catch (error) {
            skipped.add(`${model} on wasm: ${error instanceof Error ? error.message : error}`);
          }
        }
        continue;
      }
      const unwanted = backend === 'webgpu' ? await webgpuUnwanted(o.backendsNamed) : undefined;
      if (unwanted !== undefined) {
        skipped.add(`webgpu: ${unwanted}`);
        continue;
      }
      const started = await useBackend(backend, 'course', backend === 'wasm' ? o.wasmThreads[0] : undefined);
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
      const merged = { ...before, epochSeconds, examplesPerSec: TORCH_EXAMPLES[model] / median(epochSeconds) };
      console.error(`${model} on PyTorch ${merged.torch}, ${merged.threads} thread(s): ${merged.examplesPerSec.toFixed(0)} examples/s, ${merged.params} parameters`);
      torch.push(merged);
    }
  }
  // webgpu computes on the GPU: compared with PyTorch's best on the CPU, not at a thread count, and kept out of the
  // CPU summary (our best thread count, scaling)
  const rated: RatedRow[] = rows.map((r) => {
    const ratios = rowRatios(r, torch, CORES);
    return { ...r, ...(r.backend === 'webgpu' ? { ratioToBestTorch: ratios.ratioToBestTorch } : ratios) };
  });
  const summaries = o.models.map((m) => modelSummary(m, rated.filter((r) => r.backend !== 'webgpu'), torch, CORES));
  const paramMismatches = o.models.flatMap((m) => {
    const ours = rows.find((r) => r.model === m && r.params > 0)?.params;
    const theirs = torch.find((t) => t.model === m)?.params;
    return ours !== undefined && theirs !== undefined && ours !== theirs ? [`${m}: ours ${ours}, PyTorch ${theirs} trainable parameters`] : [];
  });
  console.log('');
  printResults(rated, torch, summaries);
  for (const note of skipped) console.log(`skipped: ${note}`);
  for (const m of paramMismatches) console.log(`WARNING: the PyTorch twin differs: ${m}`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: CORES, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version, tfjs: tf.version.tfjs },
    settings: { batchSize: o.batchSize, epochs: o.epochs, epochSeconds: o.epochSeconds, optimizer: 'adam(1e-3)', wasmThreads: o.wasmThreads, torchThreads: o.torchThreads },
    torchBlas,
    models: summaries.map((s) => ({
      model: s.model,
      ours: s.ours && { threads: s.ours.threads, variant: s.ours.variant, loop: s.ours.loop, examplesPerSec: s.ours.examplesPerSec, params: s.ours.params },
      torch: s.torch && { threads: s.torch.threads, examplesPerSec: s.torch.examplesPerSec },
      ratioBestToBestTorch: s.ratioBestToBestTorch,
      ratioOursScaling: s.oursScaling,
      ratioTorchScaling: s.torchScaling,
    })),
    rows: rated,
    torch,
    paramMismatches,
    skipped: [...skipped],
  };
  console.log(`\nwrote ${writeBenchOutput('latest.json', report, o.out)}`);
  if (o.save) console.log(`wrote ${writeBenchReference(`results-${report.date.slice(0, 10)}.json`, report)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * `npm run bench:ceiling`: how fast the single kernels that bound the bench's models run, ours (wasm with the
 * course's kernels) against PyTorch on the same cores, in GFLOPS, beside the most arithmetic one thread of 128-bit
 * WebAssembly SIMD can do here (a register-only multiply-add loop). The training ratios of `npm run bench` cannot
 * exceed what these say for models whose steps are mostly these kernels.
 *
 *   npm run bench:ceiling                          # wasm and PyTorch at 1..cores threads
 *   npm run bench:ceiling -- --threads 1 --seconds 2
 *   npm run bench:ceiling -- --save                # also results/reference/bench/kernel-ceiling-<date>.json
 *
 * Workloads (float32): the MLP's first product [64,784] x [784,256]; the CIFAR CNN's second-block convolution
 * (x [64,16,16,64], 3x3, 64 -> 64, same padding) forward, input gradient and filter gradient.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { MAX_WASM_THREADS } from '@dl-course/lib/engine';
import { startBackend } from './bench/backend-variant';
import { writeBenchOutput, writeBenchReference } from './bench/output';
import { runAtThreads, upTo } from './bench/thread-runs';
import { findTorchPython, runTorchKernels, setUpTorch } from './bench/torch';
import { reportTorchSetup } from './bench/report';
import { wasmSimdPeakGflops } from './bench/wasm-peak';
import { kernelWorkloads } from './bench/kernel-workloads';
import { positiveInteger, positiveNumber } from './tooling/cli';

interface Row {
  side: 'ours' | 'pytorch';
  workload: string;
  threads: number;
  seconds: number;
  gflops: number;
}

/** Median seconds of one call, as torch_kernels.py measures PyTorch's: warm-up, then 5 trials filling `seconds`. */
function medianSeconds(run: () => tf.Tensor, seconds: number, repeats = 5): number {
  const once = () => {
    const out = run();
    out.dataSync();
    out.dispose();
  };
  for (let i = 0; i < 3; i++) once();
  const start = performance.now();
  once();
  const single = Math.max((performance.now() - start) / 1000, 1e-6);
  const calls = Math.max(1, Math.floor(seconds / repeats / single));
  const trials: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) once();
    trials.push((performance.now() - t0) / 1000 / calls);
  }
  return trials.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

const WORKLOADS = kernelWorkloads();

async function ours(threads: number, seconds: number): Promise<Row[]> {
  const used = await startBackend('wasm', 'course', threads);
  return WORKLOADS.map((w) => {
    const { inputs, run } = w.make();
    const s = medianSeconds(run, seconds);
    tf.dispose(inputs);
    return { side: 'ours' as const, workload: w.name, threads: used, seconds: s, gflops: w.flops / s / 1e9 };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, seconds: { type: 'string' }, save: { type: 'boolean' }, 'wasm-threads': { type: 'string' }, out: { type: 'string' } } });
  const seconds = positiveNumber('--seconds', values.seconds, 1);
  if (values.out) {
    // a child run: one wasm thread count (fixed at start-up), rows for the parent
    const rows = await ours(positiveInteger('--wasm-threads', values['wasm-threads'], 1), seconds);
    fs.writeFileSync(`${values.out}/latest.json`, JSON.stringify({ rows }));
    return;
  }
  const threads = values.threads ? values.threads.split(',').map((t) => positiveInteger('--threads', t.trim(), 1)) : upTo(os.availableParallelism());
  const loadAtStart = os.loadavg();
  const peak = wasmSimdPeakGflops();
  console.log(`128-bit wasm SIMD peak (multiply + add, one thread, registers only): ${peak.toFixed(1)} GFLOPS`);
  const rows: Row[] = [];
  for (const t of threads.filter((n) => n <= MAX_WASM_THREADS)) rows.push(...runAtThreads<Row>(__filename, ['--seconds', String(seconds)], t));
  const python = findTorchPython();
  let blas: ReturnType<typeof reportTorchSetup> | undefined;
  if (python) {
    const setup = setUpTorch(python);
    blas = reportTorchSetup(setup);
    for (const r of runTorchKernels(setup, threads, seconds)) {
      const flops = WORKLOADS.find((w) => w.name === r.workload)!.flops;
      rows.push({ side: 'pytorch', workload: r.workload, threads: r.threads, seconds: r.seconds, gflops: flops / r.seconds / 1e9 });
    }
  } else {
    console.log('PyTorch: no python that imports torch (set TORCH_PYTHON); ours only');
  }
  const rowAt = (side: Row['side'], workload: string, t: number) => rows.find((r) => r.side === side && r.workload === workload && r.threads === t);
  const bestRow = (side: Row['side'], workload: string) =>
    rows.filter((r) => r.side === side && r.workload === workload).reduce<Row | undefined>((a, r) => (a === undefined || r.gflops > a.gflops ? r : a), undefined);
  const summary = WORKLOADS.map((w) => {
    const [o, p] = [bestRow('ours', w.name), bestRow('pytorch', w.name)];
    const pytorchOneThread = rowAt('pytorch', w.name, 1)?.gflops;
    return {
      workload: w.name,
      gflops: w.flops / 1e9,
      oursBestGflops: o?.gflops ?? null,
      pytorchBestGflops: p?.gflops ?? null,
      ratioOursToPytorch: o && p ? o.gflops / p.gflops : null,
      // share of what wasm SIMD can compute on the threads ours used
      ratioOursToWasmPeak: o ? o.gflops / (peak * o.threads) : null,
      // the most ours could reach against PyTorch, thread for thread, if a kernel ran at the wasm SIMD peak
      ratioWasmPeakToPytorchPerThread: pytorchOneThread ? peak / pytorchOneThread : null,
    };
  });
  console.log(['workload', ...threads.flatMap((t) => [`ours ${t}t`, `pytorch ${t}t`]), 'ours/pytorch (best)', 'wasm peak/pytorch 1t'].join(' | '));
  for (const s of summary) {
    const cell = (side: Row['side'], t: number) => rowAt(side, s.workload, t)?.gflops.toFixed(1) ?? '-';
    console.log([s.workload, ...threads.flatMap((t) => [cell('ours', t), cell('pytorch', t)]), s.ratioOursToPytorch?.toFixed(2) ?? '-', s.ratioWasmPeakToPytorchPerThread?.toFixed(2) ?? '-'].join(' | '));
  }
  const report = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg(), blas, wasmSimdPeakGflops: peak, rows, summary };
  console.log(`written ${writeBenchOutput('kernel-ceiling.json', report)}`);
  if (values.save) console.log(`saved ${writeBenchReference(`kernel-ceiling-${report.date.slice(0, 10)}.json`, report)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

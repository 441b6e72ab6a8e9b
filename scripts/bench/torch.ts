/**
 * Runs the PyTorch side of the bench (torch_bench.py, torch_blas.py) with a python that can import torch, on the
 * fastest OpenBLAS setting whose products check out (see blas.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BlasTrial, blasTrials, pickBlasTrial, TorchRuntime, trialEnv } from './blas';

export interface TorchResult {
  model: string;
  threads: number;
  examplesPerSec: number;
  epochSeconds: number[];
  /** Trainable parameters of the PyTorch twin. */
  params: number;
  torch: string;
}

/** `TORCH_PYTHON`, else every python3/python on PATH in order, first that imports torch; undefined if none. */
export function findTorchPython(): string | undefined {
  const candidates: string[] = [];
  if (process.env.TORCH_PYTHON) candidates.push(process.env.TORCH_PYTHON);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['python3', 'python']) {
      const file = path.join(dir, name);
      if (existsSync(file) && !candidates.includes(file)) candidates.push(file);
    }
  }
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

function runPython(python: string, script: string, args: string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync(python, [path.join(__dirname, script), ...args], { encoding: 'utf8', env, timeout: 15 * 60 * 1000 });
  if (run.status !== 0) throw new Error(`${script} failed (${python}): ${run.stderr || run.error?.message || `signal ${run.signal}`}`);
  return run.stdout;
}

function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line?.split(':')[1].trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/** The PyTorch environment the bench uses: every trial (checked products, GEMM speed on one thread) and the pick. */
export interface TorchSetup {
  python: string;
  trials: BlasTrial[];
  chosen: BlasTrial;
  env: NodeJS.ProcessEnv;
}

export function setUpTorch(python: string): TorchSetup {
  const trials = blasTrials(cpuFlags(), process.env);
  for (const trial of trials) {
    try {
      trial.runtime = JSON.parse(runPython(python, 'torch_blas.py', ['--check'], trialEnv(trial, process.env))) as TorchRuntime;
    } catch (error) {
      trial.error = error instanceof Error ? error.message.slice(0, 300) : String(error); // e.g. a core the CPU lacks
    }
    if (trials[0].runtime?.openblas == null) break; // not OpenBLAS: core types mean nothing
  }
  const chosen = pickBlasTrial(trials);
  return { python, trials, chosen, env: trialEnv(chosen, process.env) };
}

export function runTorchBench(
  setup: TorchSetup,
  options: { models: string[]; threads: number[]; examples: Record<string, number>; epochs: number; batchSize: number },
): TorchResult[] {
  const args = [
    '--models', options.models.join(','),
    '--threads', options.threads.join(','),
    '--examples', Object.entries(options.examples).map(([k, v]) => `${k}=${v}`).join(','),
    '--epochs', String(options.epochs),
    '--batch-size', String(options.batchSize),
  ];
  return parseLines<TorchResult>(runPython(setup.python, 'torch_bench.py', args, setup.env));
}

/** Median seconds of one call of each single-kernel workload (torch_kernels.py) at each thread count. */
export function runTorchKernels(setup: TorchSetup, threads: number[], seconds: number): { workload: string; threads: number; seconds: number; torch: string }[] {
  return parseLines(runPython(setup.python, 'torch_kernels.py', ['--threads', threads.join(','), '--seconds', String(seconds)], setup.env));
}

/** Trainable parameters of the PyTorch twins, without training them. */
export function torchParams(python: string, models: string[]): Map<string, number> {
  const lines = parseLines<{ model: string; params: number }>(runPython(python, 'torch_bench.py', ['--params-only', '--models', models.join(',')], process.env));
  return new Map(lines.map((l) => [l.model, l.params]));
}

function parseLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

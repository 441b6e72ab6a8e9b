/** Runs scripts/bench/torch_bench.py with a python that can import torch (PyTorch CPU, the reference speed). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface TorchResult {
  model: string;
  threads: number;
  examplesPerSec: number;
  epochSeconds: number[];
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

export function runTorchBench(
  python: string,
  options: { models: string[]; threads: number[]; examples: Record<string, number>; epochs: number; batchSize: number },
): TorchResult[] {
  const script = path.join(__dirname, 'torch_bench.py');
  const args = [
    script,
    '--models', options.models.join(','),
    '--threads', options.threads.join(','),
    '--examples', Object.entries(options.examples).map(([k, v]) => `${k}=${v}`).join(','),
    '--epochs', String(options.epochs),
    '--batch-size', String(options.batchSize),
  ];
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 15 * 60 * 1000 });
  if (run.status !== 0) throw new Error(`PyTorch benchmark failed (${python}): ${run.stderr || run.error?.message}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TorchResult);
}

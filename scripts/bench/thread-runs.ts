/**
 * The wasm backend's thread count is fixed when it starts, so the bench measures each thread count in a process of
 * its own: this same script, run with one `--wasm-threads` value and without PyTorch, writing its rows to a
 * temporary folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Thread counts 1..n as a default list. */
export function upTo(n: number): number[] {
  return Array.from({ length: Math.max(1, n) }, (_, i) => i + 1);
}

/** Run `script` with `args` plus `--wasm-threads threads --out <tmp>` and return the `rows` of its report. */
export function runAtThreads<Row>(script: string, args: string[], threads: number): Row[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${threads}t-`));
  try {
    // tsx's require hook runs the TypeScript source, whether the parent was started by tsx or by mocha
    const run = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), script, ...args, '--wasm-threads', String(threads), '--out', out], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TFJS_WASM_THREADS: String(threads) },
    });
    if (run.status !== 0) throw new Error(`the ${threads}-thread run failed (exit ${run.status ?? run.signal})`);
    return (JSON.parse(fs.readFileSync(path.join(out, 'latest.json'), 'utf8')) as { rows: Row[] }).rows;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

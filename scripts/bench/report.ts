/** What `npm run bench` prints: PyTorch's BLAS and the settings tried, the rows with their ratios, the per-model summary. */
import { classifyBlas } from './blas';
import { ModelSummary } from './ratios';
import { TorchResult, TorchSetup } from './torch';

/** The fields of a bench row that the tables show. */
export interface PrintedRow {
  model: string;
  backend: string;
  threads: number;
  variant: string;
  loop: string;
  params: number;
  examplesPerSec: number;
  error?: string;
  ratioToBestTorch?: number;
  ratioToTorchSameThreads?: number;
}

function printTable(header: string[], lines: string[][], rightFrom: number): void {
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  for (const [k, line] of all.entries()) {
    console.log(line.map((cell, i) => (i >= rightFrom ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  '));
    if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

const fixed = (x: number | undefined, digits = 2) => (x === undefined ? '-' : x.toFixed(digits));
const times = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}x`);
const count = (x: number | undefined) => (x === undefined ? '-' : x.toLocaleString('en-US'));

export function printResults<R extends PrintedRow>(rows: R[], torch: TorchResult[], summaries: ModelSummary<R>[]): void {
  printTable(
    ['model', 'backend', 'threads', 'variant', 'loop', 'params', 'examples/s', 'vs best PyTorch', 'vs PyTorch same threads'],
    [
      ...rows.map((r) => [
        r.model, r.backend, String(r.threads), r.variant, r.loop, count(r.params),
        r.error ? `error: ${r.error.slice(0, 60)}` : r.examplesPerSec.toFixed(0), fixed(r.ratioToBestTorch), fixed(r.ratioToTorchSameThreads),
      ]),
      ...torch.map((t) => [t.model, `pytorch ${t.torch}`, String(t.threads), '', '', count(t.params), t.examplesPerSec.toFixed(0), '', '']),
    ],
    5,
  );
  console.log('');
  printTable(
    ['model', 'ours best (threads, variant, loop)', 'PyTorch best (threads)', 'ours / PyTorch', 'ours 1->best', 'PyTorch 1->best'],
    summaries.map((s) => [
      s.model,
      s.ours ? `${s.ours.examplesPerSec.toFixed(0)} (${s.ours.threads}, ${s.ours.variant}, ${s.ours.loop})` : '-',
      s.torch ? `${s.torch.examplesPerSec.toFixed(0)} (${s.torch.threads})` : '-',
      fixed(s.ratioBestToBestTorch),
      times(s.oursScaling),
      times(s.torchScaling),
    ]),
    1,
  );
}

/** Print PyTorch's BLAS, the settings tried, and a loud warning on a reference BLAS. */
export function reportTorchSetup(setup: TorchSetup) {
  for (const t of setup.trials) {
    const c = t.runtime?.check;
    console.error(
      `pytorch BLAS trial '${t.label}': ${t.error ?? `core ${t.runtime?.openblas?.corename ?? '-'}, [64,784]x[784,256] ${c?.gflops.toFixed(0)} GFLOPS on ${c?.threads} thread, max relative error ${c?.maxRelativeError.toExponential(1)} vs float64`}`,
    );
  }
  const runtime = setup.chosen.runtime;
  const blas = runtime ? classifyBlas(runtime) : undefined;
  const changed = setup.chosen.label === 'as set' ? 'environment as set' : `${setup.chosen.label} for the PyTorch process only (products checked against float64)`;
  console.log(`PyTorch BLAS: ${blas?.summary ?? 'unknown (the BLAS probe failed)'}; ${changed}; threads per run: torch.set_num_threads(n) and OpenBLAS n`);
  if (blas?.reference) {
    const line = '!'.repeat(100);
    console.log(`${line}\nWARNING: PyTorch runs on a REFERENCE BLAS (${blas.library}): its figures are 3-5x too low and every ratio here flatters ours.\n` +
      `Install an optimised BLAS (Debian: apt-get install libopenblas0-pthread) and run the bench again.\n${line}`);
  }
  return {
    ...blas,
    torchOnReferenceBlas: blas?.reference ?? false,
    setting: setup.chosen.label,
    runtime,
    trials: setup.trials.map((t) => ({ label: t.label, corename: t.runtime?.openblas?.corename, ...t.runtime?.check, error: t.error })),
  };
}

/**
 * Ours against PyTorch on the same cores: each of our rows against PyTorch's best thread count (the fair
 * baseline: a learner would run PyTorch at its fastest) and against PyTorch at the same thread count; per model,
 * our best configuration against PyTorch's best.
 */

export interface Measured {
  model: string;
  threads: number;
  examplesPerSec: number;
  error?: string;
}

/** The fastest of `results` for `model` with at most `maxThreads` threads. */
export function best<T extends Measured>(results: T[], model: string, maxThreads = Infinity): T | undefined {
  return results
    .filter((r) => r.model === model && r.threads <= maxThreads && !r.error && r.examplesPerSec > 0)
    .reduce<T | undefined>((top, r) => (top === undefined || r.examplesPerSec > top.examplesPerSec ? r : top), undefined);
}

const ratio = (ours: number, theirs: number | undefined) => (theirs && ours > 0 ? ours / theirs : undefined);

export interface RowRatios {
  /** Ours / PyTorch's best thread count up to the machine's cores. */
  ratioToBestTorch?: number;
  /** Ours / PyTorch at the same number of threads. */
  ratioToTorchSameThreads?: number;
}

export function rowRatios(row: Measured, torch: Measured[], cores: number): RowRatios {
  return {
    ratioToBestTorch: ratio(row.examplesPerSec, best(torch, row.model, cores)?.examplesPerSec),
    ratioToTorchSameThreads: ratio(row.examplesPerSec, torch.find((t) => t.model === row.model && t.threads === row.threads)?.examplesPerSec),
  };
}

export interface ModelSummary<R extends Measured> {
  model: string;
  ours?: R;
  torch?: Measured;
  /** Our best configuration / PyTorch's best, both on at most `cores` threads: the headline figure. */
  ratioBestToBestTorch?: number;
  /** Our speed-up from 1 thread to our best thread count, and PyTorch's. */
  oursScaling?: number;
  torchScaling?: number;
}

export function modelSummary<R extends Measured>(model: string, rows: R[], torch: Measured[], cores: number): ModelSummary<R> {
  const ours = best(rows, model, cores);
  const theirs = best(torch, model, cores);
  const scaling = (results: Measured[], top?: Measured) => ratio(top?.examplesPerSec ?? 0, best(results, model, 1)?.examplesPerSec);
  return {
    model,
    ours,
    torch: theirs,
    ratioBestToBestTorch: ratio(ours?.examplesPerSec ?? 0, theirs?.examplesPerSec),
    oursScaling: scaling(rows, ours),
    torchScaling: scaling(torch, theirs),
  };
}

/**
 * Two models (or settings) scored on the same runs, compared pair by pair: the spread between runs cancels, so a
 * small but consistent difference shows (a paired comparison, as in a paired t-test).
 */

export interface PairedComparison {
  /** Number of pairs. */
  n: number;
  baselineMean: number;
  candidateMean: number;
  /** candidate - baseline, per pair. */
  differences: number[];
  meanDifference: number;
  /** Standard error of the mean difference (sample standard deviation / sqrt(n)); undefined for one pair. */
  standardError?: number;
  /** Pairs where the candidate scored higher than the baseline. */
  candidateWins: number;
}

/** Compare `candidate[i]` with `baseline[i]` (the same run i, e.g. the same training set) over all pairs. */
export function comparePaired(baseline: readonly number[], candidate: readonly number[]): PairedComparison {
  if (baseline.length !== candidate.length) {
    throw new Error(`comparePaired: ${baseline.length} baseline scores but ${candidate.length} candidate scores; they must pair up`);
  }
  if (baseline.length === 0) throw new Error('comparePaired: no pairs');
  const n = baseline.length;
  const differences = candidate.map((v, i) => v - baseline[i]);
  const meanDifference = mean(differences);
  const standardError = n > 1 ? Math.sqrt(differences.reduce((s, d) => s + (d - meanDifference) ** 2, 0) / (n - 1) / n) : undefined;
  return {
    n,
    baselineMean: mean(baseline),
    candidateMean: mean(candidate),
    differences,
    meanDifference,
    ...(standardError === undefined ? {} : { standardError }),
    candidateWins: candidate.filter((v, i) => v > baseline[i]).length,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

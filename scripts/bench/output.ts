/**
 * Where the benchmark, the profiler and the time-to-accuracy runs write, beside the notebooks' results: the last run
 * in `results/bench/` (git-ignored, like `results/<profile>/`), and the dated figures an instructor keeps (`--save`)
 * in `results/reference/bench/` (committed, like the notebooks' reference runs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceResultsDir, resultsDir } from '@dl-course/lib/config';

/** Write `report` as JSON to `results/bench/<name>` and return the path. */
export function writeBenchOutput(name: string, report: unknown, folder = path.join(resultsDir(), 'bench')): string {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

/** Write `report` as JSON to `results/reference/bench/<name>` (to be committed) and return the path. */
export function writeBenchReference(name: string, report: unknown): string {
  return writeBenchOutput(name, report, path.join(referenceResultsDir(), 'bench'));
}

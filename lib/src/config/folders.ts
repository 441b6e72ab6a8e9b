/**
 * The run's folders: where data is read from and where recorded results go.
 *
 *   data     DATASETS_DIR, else <project root>/datasets/cache   (`npm run datasets` fills it)
 *   results  COURSE_RESULTS_DIR, else <project root>/results     (git-ignored: any run may write there)
 *   reference results  <project root>/results/reference          (committed; written only by `npm run results -- --promote`)
 */
import * as path from 'node:path';
import { projectRoot } from './project-root';

/**
 * The data folder: `dir` if given, else `DATASETS_DIR` (relative paths are taken from the working directory), else
 * `<project root>/datasets/cache`.
 */
export function dataDir(dir?: string): string {
  if (dir !== undefined && dir !== '') return path.resolve(dir);
  const fromEnv = process.env.DATASETS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(projectRoot(), 'datasets', 'cache');
}

/** The folder holding a run's per-profile results folders: `dir`, else `COURSE_RESULTS_DIR`, else `<root>/results`. */
export function resultsDir(dir?: string): string {
  if (dir !== undefined && dir !== '') return path.resolve(dir);
  const fromEnv = process.env.COURSE_RESULTS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(projectRoot(), 'results');
}

/** The committed reference results, one folder per profile (`<root>/results/reference/full/01-mlp.json`). */
export function referenceResultsDir(root: string = projectRoot()): string {
  return path.join(root, 'results', 'reference');
}

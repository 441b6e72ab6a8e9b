/**
 * The course's reference results: `results/reference/<profile>/<notebook>.json`, committed, and the page
 * docs/results.md made from the full profile's. Runs write elsewhere (`results/<profile>/`, git-ignored); a result
 * becomes the reference only when an instructor promotes it (`npm run results -- --promote`,
 * `npm run execute -- --record-reference`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CourseProfile, referenceResultsDir } from '@dl-course/lib/config';
import { type RunResults, readRunResults } from '@dl-course/lib/report';
import { resultsMarkdown } from './results-markdown';

/** Result files named on a command line: each file as given, each folder's `*.json` (none found is an error). */
export function resultFilesIn(paths: string[]): string[] {
  return paths.flatMap((given) => {
    const target = path.resolve(given);
    if (!fs.existsSync(target)) throw new Error(`${given}: no such file or folder`);
    if (!fs.statSync(target).isDirectory()) return [target];
    const files = fs.readdirSync(target).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(target, f));
    if (files.length === 0) throw new Error(`${given}: no results files (*.json) in this folder`);
    return files;
  });
}

/**
 * Copy run results into the reference folder of `profile`, after checking each is a results file of that profile.
 * Returns the files written. Nothing is written when any file is refused.
 */
export function promoteResults(files: string[], profile: CourseProfile, root: string): string[] {
  const runs = files.map((file): [string, RunResults] => [file, readRunResults(file)]);
  for (const [file, run] of runs) {
    if (run.profile !== profile) {
      throw new Error(`${file}: recorded in the ${run.profile} profile, not ${profile}; only ${profile} results can become its reference`);
    }
  }
  const folder = path.join(referenceResultsDir(root), profile);
  fs.mkdirSync(folder, { recursive: true });
  return runs.map(([file, run]) => {
    const target = path.join(folder, `${run.notebook}.json`);
    fs.copyFileSync(file, target);
    return target;
  });
}

/** The results files in `folder` (none when it does not exist). */
export function readResultsFolder(folder: string): RunResults[] {
  const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.json')).sort() : [];
  return files.map((f) => readRunResults(path.join(folder, f)));
}

/** The Markdown page of the results in `folder`, which it names relative to the project root. */
export function resultsPage(root: string, folder: string): string {
  return resultsMarkdown(readResultsFolder(folder), path.relative(root, folder).split(path.sep).join('/') || folder);
}

/** docs/results.md as it should read now: the full profile's reference results (or those in `from`). */
export function referenceResultsPage(root: string, from?: string): string {
  return resultsPage(root, from ?? path.join(referenceResultsDir(root), 'full'));
}

export const RESULTS_PAGE = path.join('docs', 'results.md');

/**
 * Where datasets live: `DATASETS_DIR` if set, else `datasets/cache` under the project root. The root is found by
 * walking up to the `package.json` that declares workspaces, so it works from `notebooks/`, `test/` or `lib/dist`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetFileError } from './errors';

/** The folder of the course project (the `package.json` with `workspaces`), searched upwards from `start`. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (json.workspaces !== undefined) return dir;
      } catch {
        // An unreadable package.json is not the root; keep walking.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Like {@link findProjectRoot}, trying the working directory then this file's folder; throws if neither is inside the project. */
export function projectRoot(): string {
  const root = findProjectRoot(process.cwd()) ?? findProjectRoot(__dirname);
  if (!root) {
    throw new Error(
      `Cannot find the course project root (a package.json with "workspaces") above ${process.cwd()} or ${__dirname}; ` +
        'set DATASETS_DIR to the data folder instead.',
    );
  }
  return root;
}

/**
 * The data directory: the `dir` argument if given, else `DATASETS_DIR` (relative paths are taken from the working
 * directory), else `<project root>/datasets/cache`.
 */
export function dataDir(dir?: string): string {
  if (dir !== undefined && dir !== '') return path.resolve(dir);
  const fromEnv = process.env.DATASETS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(projectRoot(), 'datasets', 'cache');
}

/**
 * The path of a dataset file, or a {@link DatasetFileError} that says how to get it when it is missing.
 * @param dataset the name used by `npm run datasets -- <name>`
 */
export function requireDatasetFile(file: string, dataset: string): string {
  if (!fs.existsSync(file)) {
    throw new DatasetFileError(
      file,
      `missing. Get it with \`npm run datasets -- ${dataset}\` (add \`--from <folder>\` to import a local copy), ` +
        'or point DATASETS_DIR at a folder that has it.',
    );
  }
  return file;
}

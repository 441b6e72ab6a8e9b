/**
 * Dataset files inside the data folder ({@link dataDir} of the run configuration: `DATASETS_DIR`, else
 * `datasets/cache` under the project root).
 */
import * as fs from 'fs';
import { DatasetFileError } from './errors';

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

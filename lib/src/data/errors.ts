/**
 * One error type for every bad data file, so that a truncated, corrupt or wrong-format file is reported with its
 * path and what was expected, instead of turning into silently wrong tensors.
 */
export class DatasetFileError extends Error {
  /** The file that is wrong (or missing). */
  readonly file: string;
  /** What is wrong with it, e.g. "expected 30,730,000 bytes, found 1,000". */
  readonly problem: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetFileError';
    this.file = file;
    this.problem = problem;
  }
}

/** `12345678` -> `12,345,678`, for messages about sizes and counts. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Executes a list of notebooks headlessly, a bounded number at a time, each in its own kernel, and writes the
 * executed copies to an output folder. Used by `npm run execute` (scripts/execute.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CourseProfile } from '@dl-course/lib/config';
import { mapWithConcurrency } from './pool';
import { readNotebook } from './notebook-file';
import { CellStart, NotebookRunResult, runNotebook } from './run-notebook';
import { formatTable, truncate } from './text-table';

export interface ExecuteOptions {
  notebooks: string[];
  /** Folder for the executed copies; ignored with inPlace. */
  outputDir: string;
  inPlace: boolean;
  profile: CourseProfile;
  cellTimeoutSeconds: number;
  notebookTimeoutSeconds: number;
  jobs: number;
  kernel?: string;
  /** COURSE_RESULTS_DIR for the kernels (default: theirs, i.e. the environment's or `<root>/results`). */
  resultsDir?: string;
  /** Called as each notebook starts and ends, and while it runs (progress lines). */
  log?: (line: string) => void;
}

/** While a notebook runs: a line when a cell starts (at most every 10 s), and one a minute while a cell runs long. */
const PROGRESS_EVERY_MS = 10_000;
const STILL_RUNNING_EVERY_MS = 60_000;

export interface ExecutedNotebook {
  notebook: string;
  output: string;
  status: NotebookRunResult['status'];
  seconds: number;
  /** Index of the failing cell among all cells (markdown included), 0-based, for programs. */
  failedCell: number | null;
  /** The failing cell as Jupyter shows it: `In [7]` when it got an execution count, else `code cell 7` (from 1). */
  failedCellLabel: string | null;
  error: string | null;
}

/** Per-profile default time limits, in seconds. */
export const DEFAULT_LIMITS: Record<CourseProfile, { cell: number; notebook: number }> = {
  smoke: { cell: 300, notebook: 900 },
  full: { cell: 4 * 3600, notebook: 8 * 3600 },
};

export function defaultJobs(): number {
  return Math.max(1, Math.min(4, Math.floor(os.cpus().length / 2)));
}

export function outputPathFor(notebook: string, options: Pick<ExecuteOptions, 'outputDir' | 'inPlace'>): string {
  return options.inPlace ? notebook : path.join(options.outputDir, path.basename(notebook));
}

export async function executeNotebooks(options: ExecuteOptions): Promise<ExecutedNotebook[]> {
  const log = options.log ?? (() => {});
  const outputs = options.notebooks.map((nb) => path.resolve(outputPathFor(nb, options)));
  const clash = outputs.find((out, i) => outputs.indexOf(out) !== i);
  if (clash) throw new Error(`two notebooks would be written to ${clash}; execute them into separate folders`);
  if (!options.inPlace) {
    const overwrite = options.notebooks.find((nb, i) => path.resolve(nb) === outputs[i]);
    if (overwrite) throw new Error(`${overwrite} would be overwritten; pass --in-place to do that on purpose`);
  }
  return mapWithConcurrency(options.notebooks, options.jobs, async (notebook, i) => {
    const name = path.basename(notebook);
    const output = outputs[i] as string;
    log(`▶ ${name}`);
    const progress = notebookProgress(name, log);
    const logDir = options.inPlace ? fs.mkdtempSync(path.join(os.tmpdir(), 'course-execute-')) : path.dirname(output);
    const result = await runNotebook({
      input: notebook,
      output,
      kernel: options.kernel,
      cellTimeoutSeconds: options.cellTimeoutSeconds,
      notebookTimeoutSeconds: options.notebookTimeoutSeconds,
      env: { COURSE_PROFILE: options.profile, ...(options.resultsDir ? { COURSE_RESULTS_DIR: options.resultsDir } : {}) },
      kernelLog: path.join(logDir, `${path.basename(notebook, '.ipynb')}.kernel.log`),
      onCellStart: progress.cellStarted,
    }).finally(progress.stop);
    const done: ExecutedNotebook = {
      notebook,
      output,
      status: result.status,
      seconds: Math.round(result.seconds * 10) / 10,
      failedCell: result.failedCell,
      failedCellLabel: result.failedCell === null ? null : jupyterCellLabel(fs.existsSync(output) ? output : notebook, result.failedCell),
      error: result.error,
    };
    log(`${done.status === 'ok' ? '✓' : '✗'} ${name}: ${done.status} in ${done.seconds.toFixed(1)} s`);
    return done;
  });
}

/** Progress lines for one running notebook (see PROGRESS_EVERY_MS). */
export function notebookProgress(
  name: string,
  log: (line: string) => void,
  intervals = { everyMs: PROGRESS_EVERY_MS, stillRunningEveryMs: STILL_RUNNING_EVERY_MS },
): { cellStarted(cell: CellStart): void; stop(): void } {
  const started = Date.now();
  let current: { cell: CellStart; since: number } | undefined;
  let lastLine = started;
  const elapsed = () => formatDuration(Date.now() - started);
  const timer = setInterval(() => {
    if (!current || Date.now() - lastLine < intervals.stillRunningEveryMs) return;
    log(`  ${name}: still running code cell ${current.cell.codeCell}/${current.cell.codeCells} (${formatDuration(Date.now() - current.since)} so far, ${elapsed()} in all)`);
    lastLine = Date.now();
  }, intervals.stillRunningEveryMs / 4);
  timer.unref();
  return {
    cellStarted(cell) {
      current = { cell, since: Date.now() };
      if (Date.now() - lastLine < intervals.everyMs) return;
      log(`  ${name}: code cell ${cell.codeCell}/${cell.codeCells} (${elapsed()} in)`);
      lastLine = Date.now();
    },
    stop: () => clearInterval(timer),
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Cell `index` (0-based among all cells) as Jupyter shows it: `In [n]` once it ran, else `code cell k` (from 1). */
export function jupyterCellLabel(notebookFile: string, index: number): string {
  try {
    const cells = readNotebook(notebookFile).cells;
    const cell = cells[index];
    if (cell?.cell_type !== 'code') return `cell ${index + 1}`;
    if (typeof cell.execution_count === 'number') return `In [${cell.execution_count}]`;
    return `code cell ${cells.slice(0, index + 1).filter((c) => c.cell_type === 'code').length}`;
  } catch {
    return `cell ${index + 1}`;
  }
}

/** The summary as a Markdown table (for CI job summaries, e.g. GitHub's GITHUB_STEP_SUMMARY). */
export function summaryMarkdown(results: ExecutedNotebook[], profile: string): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const rows = results.map(
    (r) =>
      `| ${path.basename(r.notebook)} | ${r.status === 'ok' ? 'ok' : `**${r.status}**`} | ${r.seconds.toFixed(1)} s | ` +
      `${r.failedCellLabel ?? ''} | ${escape(r.error ? truncate(r.error, 200) : '')} |`,
  );
  return [`### Notebooks (${profile} profile)`, '', '| notebook | status | time | failing cell | error |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}

export function summaryTable(results: ExecutedNotebook[]): string {
  return formatTable(
    ['notebook', 'status', 'time', 'failing cell', 'error'],
    results.map((r) => [
      path.basename(r.notebook),
      r.status,
      `${r.seconds.toFixed(1)} s`,
      r.failedCellLabel ?? '',
      r.error ? truncate(r.error, 100) : '',
    ]),
  );
}

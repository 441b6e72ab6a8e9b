/**
 * Runs one notebook in its own Jupyter kernel through the nbclient driver (nbrun.py): per-cell and per-notebook
 * time limits, a cap on stored output, an optional keep-going-after-errors mode (grading), and a per-cell report.
 * The driver signs its report with a one-time key sent on its stdin, so notebook code cannot forge a result.
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findJupyterPython } from './jupyter-python';
import { readNotebook } from './notebook-file';

export type CellStatus = 'ok' | 'error' | 'timeout' | 'dead' | 'skipped';
export type NotebookStatus = 'ok' | 'failed' | 'timeout' | 'kernel-died' | 'error';

export interface CellRunResult {
  index: number;
  id: string | null;
  type: string;
  status: CellStatus;
  seconds: number;
  error?: string;
  truncated?: boolean;
}

export interface NotebookRunResult {
  status: NotebookStatus;
  cells: CellRunResult[];
  seconds: number;
  /** Index of the first cell that failed, timed out or killed the kernel. */
  failedCell: number | null;
  error: string | null;
}

export interface RunNotebookOptions {
  input: string;
  /** Where the executed copy goes (may equal input to overwrite). */
  output: string;
  /** The kernel's working directory; defaults to the input notebook's folder. */
  cwd?: string;
  /** Kernel name; defaults to the notebook's kernelspec, else 'tslab'. */
  kernel?: string;
  cellTimeoutSeconds: number;
  notebookTimeoutSeconds: number;
  /** Keep running cells after a failing one (grading); default false. */
  continueOnError?: boolean;
  /** Output bytes stored per cell before truncation (default 10 MiB). */
  maxOutputBytes?: number;
  /** Extra environment for the kernel (e.g. COURSE_PROFILE). */
  env?: Record<string, string>;
  /** Called as each code cell starts (progress); `codeCell` counts code cells from 1. */
  onCellStart?: (cell: CellStart) => void;
  /** File that receives the kernel process's own stdout/stderr. */
  kernelLog?: string;
}

/** A code cell the driver is starting: its index among all cells, and its number among the code cells. */
export interface CellStart {
  index: number;
  codeCell: number;
  codeCells: number;
}

const DRIVER = path.join(__dirname, 'nbrun.py');
/** Time the driver gets beyond the notebook limit to start a kernel and write its copy before a hard stop. */
const HARD_STOP_GRACE_SECONDS = 90;

/** The notebook's kernelspec name, else 'tslab' (an unreadable notebook is reported by the driver). */
export function notebookKernelName(file: string): string {
  try {
    const spec = readNotebook(file).metadata.kernelspec as { name?: string } | undefined;
    return spec?.name ?? 'tslab';
  } catch {
    return 'tslab';
  }
}

export async function runNotebook(options: RunNotebookOptions): Promise<NotebookRunResult> {
  const started = Date.now();
  const key = crypto.randomBytes(32).toString('hex');
  const job = {
    input: path.resolve(options.input),
    output: path.resolve(options.output),
    cwd: path.resolve(options.cwd ?? path.dirname(options.input)),
    kernel: options.kernel ?? notebookKernelName(options.input),
    cellTimeout: options.cellTimeoutSeconds,
    notebookTimeout: options.notebookTimeoutSeconds,
    continueOnError: options.continueOnError ?? false,
    maxOutputBytes: options.maxOutputBytes ?? 10 * 2 ** 20,
    kernelLog: options.kernelLog ? path.resolve(options.kernelLog) : null,
    key,
  };
  fs.mkdirSync(path.dirname(job.output), { recursive: true });
  const python = findJupyterPython();
  const child = spawn(python, [DRIVER], {
    cwd: job.cwd,
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so a hard stop reaches everything it started
  });
  child.stdin.end(JSON.stringify(job) + '\n');
  const stdout = collect(child.stdout, 1 << 22);
  const stderr = collect(child.stderr, 1 << 16);
  if (options.onCellStart) forEachCellStart(child.stderr, options.onCellStart);

  let hardStopped = false;
  const hardLimitMs = (options.notebookTimeoutSeconds + HARD_STOP_GRACE_SECONDS) * 1000;
  const timer = setTimeout(() => {
    hardStopped = true;
    signalGroup(child.pid, 'SIGTERM'); // the driver kills its kernel on SIGTERM
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5000).unref();
  }, hardLimitMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const seconds = (Date.now() - started) / 1000;

  if (hardStopped) {
    return failure('timeout', `stopped after the notebook time limit (${options.notebookTimeoutSeconds} s)`, seconds);
  }
  const report = parseSignedReport(stdout.text(), key);
  if (typeof report === 'string') {
    const detail = stderr.text().trim().split('\n').slice(-3).join(' | ');
    return failure('error', `${report} (driver exit code ${code}${detail ? `: ${detail}` : ''})`, seconds);
  }
  return report;
}

function parseSignedReport(stdout: string, key: string): NotebookRunResult | string {
  const line = stdout.trim().split('\n').pop();
  if (!line) return 'the notebook driver gave no result';
  try {
    const { result, signature } = JSON.parse(line) as { result: string; signature: string };
    const expected = crypto.createHmac('sha256', key).update(result).digest('hex');
    const ok =
      typeof signature === 'string' &&
      signature.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!ok) return 'the notebook driver result has a bad signature';
    return JSON.parse(result) as NotebookRunResult;
  } catch {
    return 'the notebook driver result is unreadable';
  }
}

function failure(status: NotebookStatus, error: string, seconds: number): NotebookRunResult {
  return { status, cells: [], seconds, failedCell: null, error };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** The driver's "@cell {...}" progress lines on its stderr. */
function forEachCellStart(stream: NodeJS.ReadableStream, onCellStart: (cell: CellStart) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) {
      if (!line.startsWith('@cell ')) continue;
      try {
        onCellStart(JSON.parse(line.slice(6)) as CellStart);
      } catch {
        /* not a progress line after all */
      }
    }
  });
}

/** Collect a stream up to a byte cap (a runaway writer must not fill our memory). */
function collect(stream: NodeJS.ReadableStream, cap: number): { text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size >= cap) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

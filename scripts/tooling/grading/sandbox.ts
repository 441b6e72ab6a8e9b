/**
 * One sandbox per (submission, notebook): bubblewrap (`bwrap`) runs the notebook driver (nbrun.py) and its tslab
 * kernel with their own PID, network, IPC, UTS and mount namespaces. Inside, the system's /usr, the course's `lib/`,
 * `node_modules/` and `datasets/` read-only, one private size-capped scratch folder (the kernel's working folder)
 * and a size-capped /tmp; nothing else of the project or of the grading output. Limits: CPU time, memory and file
 * size per process (rlimits), processes and total memory per sandbox (cgroups, where this machine lets the grader
 * make them), wall time from the grader's own clock. When the run ends, however it ends, everything in the sandbox
 * is killed (its PID namespace dies with it) and its scratch folder is gone.
 *
 * Nothing the driver says is trusted: the notebook goes in on stdin and comes back on stdout (capped); the caller
 * reads only plain data from it. With `phase2`, the driver sends a first line, then gets more cells on stdin (the
 * hidden checks), after the caller has read everything the first phase produced.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findJupyterPython } from '../jupyter-python';
import type { Notebook, NotebookCell } from '../notebook-file';
import type { CellRunResult, NotebookRunResult } from '../run-notebook';

export interface SandboxLimits {
  cellTimeoutSeconds: number;
  notebookTimeoutSeconds: number;
  /** Output kept per cell by the driver. */
  maxOutputBytes: number;
  /** Memory of the whole sandbox (cgroup) and data segment of each process (rlimit). */
  memoryBytes: number;
  /** Processes and threads in the sandbox (cgroup pids.max). */
  processes: number;
  /** Size of the scratch folder and of /tmp (each a tmpfs), and of any one file written. */
  scratchBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: Omit<SandboxLimits, 'cellTimeoutSeconds' | 'notebookTimeoutSeconds' | 'maxOutputBytes'> = {
  memoryBytes: 4 * 2 ** 30,
  processes: 256,
  scratchBytes: 256 * 2 ** 20,
};

/** Time beyond the notebook limit for the kernel to start and the driver to send its copy, before a hard stop. */
const STOP_GRACE_SECONDS = 20;
/** Bytes read from the driver's stdout; the rest is dropped (a notebook's outputs are capped per cell anyway). */
const MAX_DRIVER_OUTPUT = 96 * 2 ** 20;
/** The kernel log's tail kept for the instructor. */
const KERNEL_LOG_TAIL = 16 * 1024;

/** Where the course appears inside the sandbox. */
const COURSE = '/course';
const WORK = `${COURSE}/work`;
const DRIVER_DIR = '/grading';

export interface SandboxSetup {
  projectRoot: string;
  /** Run without bubblewrap: only for notebooks you trust (the instructor's own, a demo). */
  unsafe: boolean;
  /** A private folder of the grader's (kernelspec for the sandbox); made by prepareSandbox. */
  driverDir: string;
  python: string;
  /** Extra folders the python and node need, bound read-only (their installs when outside /usr). */
  toolDirs: string[];
  cgroups: CgroupRoots | null;
  /** Why a limit is not enforced on this machine (printed once by the grader). */
  notes: string[];
}

interface CgroupRoots {
  pids: string | null;
  memory: string | null;
}

export class SandboxUnavailable extends Error {}

/** Checks that bwrap is there and works, and prepares what every sandbox of this grading run shares. */
export function prepareSandbox(projectRoot: string, unsafe: boolean): SandboxSetup {
  const python = findJupyterPython();
  const notes: string[] = [];
  if (!unsafe) {
    const problem = bwrapProblem();
    if (problem) throw new SandboxUnavailable(problem);
  } else {
    notes.push('UNSAFE: notebooks run without a sandbox, as you, with your files and network (--unsafe-no-sandbox)');
  }
  const driverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-course-grader-'));
  const kernelDir = path.join(driverDir, 'jupyter', 'kernels', 'tslab');
  fs.mkdirSync(kernelDir, { recursive: true });
  const modules = unsafe ? path.join(fs.realpathSync(projectRoot), 'node_modules') : `${COURSE}/node_modules`;
  const kernel = { argv: [process.execPath, `${modules}/tslab/bin/tslab`, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
  fs.writeFileSync(path.join(kernelDir, 'kernel.json'), JSON.stringify(kernel));
  const cgroups = unsafe ? null : findCgroupRoots();
  if (cgroups) removeStaleCgroups(cgroups);
  if (!unsafe && !cgroups?.pids) notes.push('no writable cgroup for pids: the process count in a sandbox is not limited');
  if (!unsafe && !cgroups?.memory) notes.push('no writable cgroup for memory: memory is limited per process (RLIMIT_DATA) only');
  return { projectRoot: fs.realpathSync(projectRoot), unsafe, driverDir, python, toolDirs: toolDirs(python), cgroups, notes };
}

export function disposeSandbox(setup: SandboxSetup): void {
  fs.rmSync(setup.driverDir, { recursive: true, force: true });
}

/** Null when bwrap can start a sandbox here; else a one-line reason with the fix. */
export function bwrapProblem(binary = 'bwrap'): string | null {
  const fix = 'install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap)';
  try {
    execFileSync(binary, ['--unshare-all', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { stdio: 'pipe', timeout: 20_000 });
    return null;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    const unsafe = 'or pass --unsafe-no-sandbox to grade notebooks you trust without one';
    if (e.code === 'ENOENT') return `grading needs a sandbox: ${fix}, ${unsafe}`;
    const why = e.stderr?.toString().trim().split('\n')[0] ?? e.message;
    return `bwrap cannot start a sandbox here (${why}): allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run as root, ${unsafe}`;
  }
}

function toolDirs(python: string): string[] {
  const dirs = new Set<string>();
  const add = (p: string) => {
    const real = fs.realpathSync(p);
    if (!real.startsWith('/usr/')) dirs.add(real);
  };
  add(path.dirname(path.dirname(fs.realpathSync(process.execPath))));
  const prefixes = JSON.parse(
    execFileSync(python, ['-c', 'import sys, json; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix]))'], { encoding: 'utf8' }),
  ) as string[];
  prefixes.forEach(add);
  add(path.dirname(fs.realpathSync(python)));
  return [...dirs].filter((d) => ![...dirs].some((other) => other !== d && d.startsWith(other + path.sep)));
}

/** cgroup v1 controllers (pids, memory) this process may make children in; v2 where delegated. */
function findCgroupRoots(): CgroupRoots | null {
  const own = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((line) => line.split(':'));
  const probe = (dir: string): string | null => {
    const test = path.join(dir, `dl-course-probe-${process.pid}`);
    try {
      fs.mkdirSync(test);
      fs.rmdirSync(test);
      return dir;
    } catch {
      return null;
    }
  };
  const v1 = (controller: string): string | null => {
    const entry = own.find(([, controllers]) => controllers?.split(',').includes(controller));
    if (!entry) return null;
    const dir = path.join('/sys/fs/cgroup', controller, entry[2] ?? '/');
    return fs.existsSync(path.join(dir, 'cgroup.procs')) ? probe(dir) : null;
  };
  const roots = { pids: v1('pids'), memory: v1('memory') };
  return roots.pids || roots.memory ? roots : null;
}

/** This process's sandbox cgroups that still exist (none, once every run has ended). */
export function sandboxCgroupsLeft(): string[] {
  const roots = findCgroupRoots();
  return [roots?.pids, roots?.memory]
    .filter((root): root is string => !!root)
    .flatMap((root) => fs.readdirSync(root).filter((name) => name.startsWith(`${CGROUP_PREFIX}${process.pid}-`)).map((name) => path.join(root, name)));
}

const CGROUP_PREFIX = 'dl-course-grade-';

/**
 * Cgroups left by graders that were killed (a signal gives no time to clean up; their sandboxes died with them):
 * those of processes that no longer exist, emptied and removed.
 */
function removeStaleCgroups(roots: CgroupRoots): void {
  for (const root of [roots.pids, roots.memory]) {
    if (!root) continue;
    for (const name of fs.readdirSync(root).filter((n) => n.startsWith(CGROUP_PREFIX))) {
      const owner = Number(name.slice(CGROUP_PREFIX.length).split('-')[0]);
      if (!owner || processExists(owner)) continue;
      const dir = path.join(root, name);
      for (const pid of readPids(dir)) signal(pid, 'SIGKILL');
      try {
        fs.rmdirSync(dir);
      } catch {
        /* busy for a moment more: the next run removes it */
      }
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run's cgroups: made before the sandbox starts, emptied and removed after it ends. */
class SandboxCgroups {
  readonly dirs: string[] = [];
  constructor(roots: CgroupRoots | null, limits: SandboxLimits) {
    if (!roots) return;
    const name = `${CGROUP_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const make = (root: string | null, settings: Record<string, string>) => {
      if (!root) return;
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      this.dirs.push(dir);
      for (const [file, value] of Object.entries(settings)) fs.writeFileSync(path.join(dir, file), value);
    };
    make(roots.pids, { 'pids.max': String(limits.processes) });
    make(roots.memory, { 'memory.limit_in_bytes': String(limits.memoryBytes) });
  }

  /** Shell lines that move the shell (and so everything it starts) into the cgroups. */
  joinScript(): string {
    return this.dirs.map((dir) => `echo $$ > '${dir}/cgroup.procs' || exit 97`).join('\n');
  }

  /** Kill whatever is left (nothing, when the PID namespace did its job) and remove the cgroups. */
  remove(): number {
    let left = 0;
    for (const dir of this.dirs) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const pids = readPids(dir);
        if (attempt === 0) left = Math.max(left, pids.length);
        if (pids.length === 0) break;
        for (const pid of pids) signal(pid, 'SIGKILL');
        sleepMs(20);
      }
      try {
        fs.rmdirSync(dir);
      } catch {
        /* still busy: the kernel reaps it shortly; nothing in it can run */
      }
    }
    return left;
  }
}

function readPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

/** bwrap's arguments: what the sandbox sees. */
function bwrapArgs(setup: SandboxSetup, limits: SandboxLimits, env: Record<string, string>): string[] {
  const root = setup.projectRoot;
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/lib', '/lib64', '/sbin', '/lib32', '/libx32']) {
    if (!fs.existsSync(dir)) continue;
    const st = fs.lstatSync(dir);
    if (st.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  // The few files of /etc that the dynamic linker, Python and Node read; nothing else of /etc.
  for (const file of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime', '/etc/nsswitch.conf']) {
    args.push('--ro-bind-try', file, file);
  }
  for (const dir of setup.toolDirs) args.push('--ro-bind', dir, dir);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--size', String(limits.scratchBytes), '--tmpfs', '/tmp');
  args.push('--ro-bind', fs.realpathSync(path.join(root, 'node_modules')), `${COURSE}/node_modules`);
  args.push('--ro-bind', path.join(root, 'lib'), `${COURSE}/lib`);
  args.push('--ro-bind', path.join(root, 'package.json'), `${COURSE}/package.json`);
  const datasets = process.env.DATASETS_DIR ? path.resolve(process.env.DATASETS_DIR) : path.join(root, 'datasets', 'cache');
  if (fs.existsSync(datasets)) args.push('--ro-bind', fs.realpathSync(datasets), `${COURSE}/datasets/cache`);
  if (fs.existsSync(path.join(root, 'datasets'))) {
    for (const file of fs.readdirSync(path.join(root, 'datasets')).filter((f) => f.endsWith('.json'))) {
      args.push('--ro-bind', path.join(root, 'datasets', file), `${COURSE}/datasets/${file}`);
    }
  }
  args.push('--size', String(limits.scratchBytes), '--tmpfs', WORK);
  args.push('--ro-bind', DRIVER, `${DRIVER_DIR}/nbrun.py`, '--ro-bind', path.join(setup.driverDir, 'jupyter'), `${DRIVER_DIR}/jupyter`);
  args.push('--chdir', WORK, '--clearenv');
  for (const [key, value] of Object.entries(env)) args.push('--setenv', key, value);
  args.push(setup.python, `${DRIVER_DIR}/nbrun.py`);
  return args;
}

const DRIVER = path.join(__dirname, '..', 'nbrun.py');

export interface SandboxPhase {
  /** The executed cells of this phase, as the driver sent them (untrusted data). */
  cells: NotebookCell[];
  /** The driver's per-cell report for this phase (untrusted). */
  report: CellRunResult[];
  /** The driver's notebook-level status and error after this phase (untrusted). */
  status: NotebookRunResult['status'] | null;
  error: string | null;
  kernelLog: string;
}

export interface SandboxRun {
  /** Null when the driver sent nothing readable for that phase. */
  phase1: SandboxPhase | null;
  phase2: SandboxPhase | null;
  /** By the grader's clock. */
  seconds: number;
  /** The grader's own finding: the hard time limit hit, the output too large, the driver unreadable. */
  problem: string | null;
  timedOut: boolean;
  /** Processes still in the sandbox's cgroup when it was removed (0 when the PID namespace took them down). */
  leftover: number;
  /** The end of the kernel's own stdout/stderr, as the driver sent it (untrusted; for the instructor). */
  kernelLog: string;
}

export interface SandboxJob {
  /** Cells of the first phase (the notebook's metadata comes with them). */
  notebook: Notebook;
  /** Cells sent after the first phase has been read (hidden checks). */
  phase2: NotebookCell[];
  limits: SandboxLimits;
  env: Record<string, string>;
}

export async function runSandboxed(setup: SandboxSetup, job: SandboxJob): Promise<SandboxRun> {
  const started = Date.now();
  const unsafeWork = setup.unsafe ? fs.mkdtempSync(path.join(setup.driverDir, 'work-')) : null;
  if (unsafeWork) linkModules(unsafeWork, setup.projectRoot);
  const work = unsafeWork ?? WORK;
  const env: Record<string, string> = {
    HOME: work,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TMPDIR: unsafeWork ?? '/tmp',
    JUPYTER_PATH: unsafeWork ? path.join(setup.driverDir, 'jupyter') : `${DRIVER_DIR}/jupyter`,
    JUPYTER_RUNTIME_DIR: `${work}/.jupyter/runtime`,
    JUPYTER_CONFIG_DIR: `${work}/.jupyter`,
    JUPYTER_DATA_DIR: `${work}/.jupyter/data`,
    JUPYTER_PLATFORM_DIRS: '1',
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    COURSE_RESULTS_DIR: `${work}/results`,
    ...(setup.unsafe ? {} : { DATASETS_DIR: `${COURSE}/datasets/cache` }),
    ...(process.env.TFJS_WASM_THREADS ? { TFJS_WASM_THREADS: process.env.TFJS_WASM_THREADS } : {}),
    ...(process.env.TFJS_BACKEND ? { TFJS_BACKEND: process.env.TFJS_BACKEND } : {}),
    ...job.env,
  };
  const limits = job.limits;
  const cgroups = new SandboxCgroups(setup.cgroups, limits);
  const kb = (bytes: number) => Math.max(1, Math.floor(bytes / 1024));
  const cpuSeconds = Math.ceil((limits.notebookTimeoutSeconds + STOP_GRACE_SECONDS) * Math.max(1, os.cpus().length));
  const script = [
    cgroups.joinScript(),
    `ulimit -c 0; ulimit -t ${cpuSeconds}; ulimit -d ${kb(limits.memoryBytes)}; ulimit -f ${kb(limits.scratchBytes)}; ulimit -n 4096`,
    'exec "$@"',
  ].filter(Boolean).join('\n');
  const command = setup.unsafe ? [setup.python, DRIVER] : ['bwrap', ...bwrapArgs(setup, limits, env)];
  const child = spawn('sh', ['-c', script, 'sh', ...command], {
    cwd: unsafeWork ?? '/',
    env: setup.unsafe ? { ...process.env, ...env } : { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const driverJob = {
    notebook: job.notebook,
    output: null,
    cwd: work,
    kernel: 'tslab',
    cellTimeout: limits.cellTimeoutSeconds,
    notebookTimeout: limits.notebookTimeoutSeconds,
    continueOnError: true,
    maxOutputBytes: limits.maxOutputBytes,
    kernelLog: `${work}/kernel.log`,
    key: 'unused', // the result is not trusted, so not signed for anyone
    morePhases: true,
  };
  child.stdin.on('error', () => {}); // the driver may be gone before we write
  child.stdin.write(JSON.stringify(driverJob) + '\n');

  const run: SandboxRun = { phase1: null, phase2: null, seconds: 0, problem: null, timedOut: false, leftover: 0, kernelLog: '' };
  const lines = readLines(child, (line, n) => {
    if (n === 0) {
      run.phase1 = parsePhase(line);
      // Only now, with everything of the first phase in hand, do the hidden cells go in.
      child.stdin.end(JSON.stringify({ cells: job.phase2 }) + '\n');
    } else if (n === 1) {
      run.phase2 = parsePhase(line);
    }
  });
  const stderr = capture(child.stderr!, 8192);
  const hardLimitMs = (limits.notebookTimeoutSeconds + STOP_GRACE_SECONDS) * 1000;
  const timer = setTimeout(() => {
    run.timedOut = true;
    killGroup(child);
  }, hardLimitMs);
  // Wait for the sandbox to exit, not for its pipes to close: with the PID namespace gone nothing can hold them,
  // and in unsafe mode a process that keeps them open must not hold the grader.
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(timer);
  killGroup(child);
  await lines.done(2000);
  run.leftover = cgroups.remove();
  run.seconds = (Date.now() - started) / 1000;
  if (run.timedOut) run.problem = `stopped at the notebook time limit (${limits.notebookTimeoutSeconds} s)`;
  else if (lines.overflow) run.problem = `the notebook's output passed the grader's limit (${MAX_DRIVER_OUTPUT} bytes)`;
  else if (!run.phase1) {
    const detail = stderr().trim().split('\n').slice(-2).join(' | ').slice(0, 300);
    run.problem = `the notebook driver gave no readable result${detail ? ` (${detail})` : ''}`;
  }
  if (unsafeWork) fs.rmSync(unsafeWork, { recursive: true, force: true });
  run.kernelLog = (run.phase2 ?? run.phase1)?.kernelLog.slice(-KERNEL_LOG_TAIL) ?? '';
  return run;
}

function parsePhase(line: string): SandboxPhase | null {
  try {
    const parsed = JSON.parse(line) as { result?: unknown; notebook?: { cells?: unknown }; kernelLog?: unknown };
    const result = JSON.parse(String(parsed.result)) as Partial<NotebookRunResult>;
    const cells = parsed.notebook?.cells;
    if (!Array.isArray(cells) || !Array.isArray(result.cells)) return null;
    return {
      cells: cells as NotebookCell[],
      report: result.cells as CellRunResult[],
      status: typeof result.status === 'string' ? result.status : null,
      error: typeof result.error === 'string' ? result.error.slice(0, 500) : null,
      kernelLog: typeof parsed.kernelLog === 'string' ? parsed.kernelLog : '',
    };
  } catch {
    return null;
  }
}

/** Splits the driver's stdout into lines, up to MAX_DRIVER_OUTPUT bytes in all. */
function readLines(child: ChildProcess, onLine: (line: string, n: number) => void) {
  let pending: Buffer[] = [];
  let total = 0;
  let count = 0;
  const state = { overflow: false };
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    if (state.overflow) return;
    total += chunk.length;
    if (total > MAX_DRIVER_OUTPUT) {
      state.overflow = true;
      pending = [];
      killGroup(child);
      return;
    }
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, i));
      const line = Buffer.concat(pending).toString('utf8');
      pending = [];
      start = i + 1;
      onLine(line, count++);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  });
  child.stdout!.on('close', () => resolveDone());
  child.stdout!.on('error', () => resolveDone());
  return {
    get overflow() {
      return state.overflow;
    },
    /** Waits a little for the pipe to drain after the sandbox exited. */
    done: (ms: number) => Promise.race([finished, new Promise<void>((r) => setTimeout(r, ms).unref())]),
  };
}

function capture(stream: NodeJS.ReadableStream, cap: number): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-cap);
  });
  stream.on('error', () => {});
  return () => text;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Unsafe mode runs in a temporary folder outside the project: tslab resolves `@dl-course/lib` through this link. */
function linkModules(dir: string, root: string): void {
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

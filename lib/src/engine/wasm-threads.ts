/**
 * Runs tfjs-backend-wasm's multi-threaded build under Node, so XNNPACK's matrix products and convolutions use every
 * core.
 *
 * tfjs-backend-wasm 4.22 ships a threaded-SIMD build but switches it off in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false there) because its thread workers cannot start: the backend hands
 * Emscripten a `blob:` URL for the worker script, and Node's `worker_threads.Worker` takes only file paths. Three
 * adjustments, each undone as soon as the backend has started (all workers are created during start-up):
 * - the worker script is written to a file, and a worker asked for with a `blob:` URL is started from that file;
 * - inside the worker, the backend's factory (also sent as a Blob) is loaded from the package with `require`;
 * - the backend caps its thread pool at half of `os.cpus()` (it assumes two hyper-threads per core); during start-up
 *   `os.cpus()` reports enough CPUs for the pool size the course asks for.
 * Results are the same numbers: each output element is still computed by one thread, in the same order.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** The most threads the threaded build can use (it pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/**
 * How many threads the wasm backend should use: `TFJS_WASM_THREADS` if set, else one per available CPU
 * (at most 8). 1 means the single-threaded build.
 */
export function wasmThreadsWanted(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TFJS_WASM_THREADS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      const perCpu = Math.min(os.availableParallelism(), MAX_WASM_THREADS);
      throw new Error(
        `TFJS_WASM_THREADS='${raw}' is not a number of threads: give a whole number from 1 to ${MAX_WASM_THREADS}, or unset it ` +
          `for one thread per CPU (${perCpu} here)`,
      );
    }
    return Math.min(n, MAX_WASM_THREADS);
  }
  return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
}

interface WasmPackage {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Prepare the wasm backend (not yet started) to run `threads` threads, and return the function that puts back what
 * was changed for start-up; call it once the backend has started or failed. With `threads` = 1 nothing is changed.
 */
export function prepareWasmThreads(threads: number): () => void {
  if (threads <= 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return () => undefined;
  }
  const workerFile = writeWorkerScript();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  (require('@tensorflow/tfjs-backend-wasm') as WasmPackage).setThreadsCount(threads);

  const workerThreads = require('node:worker_threads') as { Worker: typeof import('node:worker_threads').Worker };
  const NodeWorker = workerThreads.Worker;
  workerThreads.Worker = class WasmThreadWorker extends NodeWorker {
    constructor(file: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      super(typeof file === 'string' && file.startsWith('blob:') ? workerFile : file, options);
    }
  };
  const nodeOs = require('node:os') as { cpus: typeof os.cpus };
  const realCpus = nodeOs.cpus;
  nodeOs.cpus = () => {
    const cpus = realCpus();
    const wanted = 2 * threads;
    return Array.from({ length: Math.max(cpus.length, wanted) }, (_, i) => cpus[i % cpus.length]);
  };
  return () => {
    workerThreads.Worker = NodeWorker;
    nodeOs.cpus = realCpus;
  };
}

interface EmscriptenThreads {
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/**
 * Let the process exit while the thread pool waits for work. Emscripten keeps a Node worker referenced while it runs
 * a thread, and XNNPACK's pool threads run (waiting) for as long as the backend lives: without this, a script or a
 * test run that has finished would never end.
 */
export function releaseWasmThreadsOnExit(module: unknown): void {
  const threads = (module as EmscriptenThreads).PThread;
  if (threads === undefined) return;
  for (const worker of [...threads.runningWorkers, ...threads.unusedWorkers]) worker.unref();
}

/** The threads the running wasm backend uses (1 for the single-threaded build). */
export function wasmThreadsInUse(): number {
  return (require('@tensorflow/tfjs-backend-wasm') as WasmPackage).getThreadsCount();
}

/**
 * Write the worker script once per content (several kernels may start at once: write to a temporary name, then
 * rename) and return its path.
 */
function writeWorkerScript(): string {
  const packageDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factoryFile = path.join(packageDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(packageDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The contents come from a template literal whose "\n" escapes became newlines; the backend re-escapes them too.
  const script =
    wasmWorkerContents.replace(/\n/g, '\\n') +
    '\n// Load the factory the main thread sends as a Blob from the package instead (Node cannot read blob: URLs).\n' +
    `;(() => { const load = global.importScripts; global.importScripts = (url) => {` +
    ` if (!String(url).startsWith('blob:')) return load(url);` +
    ` global.WasmBackendModuleThreadedSimd = require(${JSON.stringify(factoryFile)}); }; })();\n`;
  const hash = crypto.createHash('sha256').update(script).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'dl-course-wasm-threads');
  const file = path.join(dir, `worker-${hash}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script);
    fs.renameSync(temporary, file);
  }
  return file;
}

/**
 * Picks and initialises the TensorFlow.js backend for the course.
 *
 * Preference order: native TensorFlow with a GPU, native TensorFlow on the CPU, WebAssembly with the course's own
 * training kernels, and finally the pure-JS `cpu` backend. `TFJS_BACKEND` (or the `backend` option) forces one.
 */
import * as tf from '@tensorflow/tfjs';
import { registerCourseKernels } from '../kernels';
import { prepareWasmThreads, releaseWasmThreadsOnExit, wasmThreadsInUse, wasmThreadsWanted } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface EngineInfo {
  /** The choice made, in the course's terms. */
  backend: BackendName;
  /** The name TF.js knows the backend by (`tf.getBackend()`). */
  tfBackend: string;
  device: 'gpu' | 'cpu';
  /** CPU threads the backend computes with (wasm: its XNNPACK thread pool; native: TensorFlow decides). */
  threads?: number;
  /** One sentence: why this backend. */
  reason: string;
  /** Backends tried before this one, with why each could not be used. */
  skipped: { backend: BackendName; why: string }[];
  tfjsVersion: string;
}

export interface EngineOptions {
  /** Force a backend; defaults to `process.env.TFJS_BACKEND`, else the first that works. */
  backend?: BackendName;
  /** Print the one-line summary (default true). */
  verbose?: boolean;
}

let current: EngineInfo | undefined;

/** The engine chosen by the last `initEngine` call, if any. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/** Initialise TF.js on the best available backend (or the forced one) and say which and why. */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const forced = options.backend ?? parseBackendName(process.env.TFJS_BACKEND);
  const candidates = forced ? [forced] : BACKEND_PREFERENCE;
  // A bad setting is the user's to fix, not a reason to fall back to the slow cpu backend: say so now.
  if (candidates.includes('wasm')) wasmThreadsWanted();
  const skipped: EngineInfo['skipped'] = [];
  for (const backend of candidates) {
    try {
      const { tfBackend, threads } = await activate(backend);
      const reason = forced
        ? `forced by ${options.backend ? 'the backend option' : 'TFJS_BACKEND'}`
        : skipped.length === 0
          ? 'the fastest backend, and it is available'
          : `the fastest available (${skipped.map((s) => s.backend).join(', ')} not available)`;
      current = {
        backend,
        tfBackend,
        device: backend === 'tensorflow-gpu' ? 'gpu' : 'cpu',
        ...(threads === undefined ? {} : { threads }),
        reason,
        skipped,
        tfjsVersion: tf.version.tfjs,
      };
      if (options.verbose ?? true) console.log(describeEngine(current));
      const wasmFailure = skipped.find((s) => s.backend === 'wasm');
      if (wasmFailure) console.warn(`The wasm backend did not start (${wasmFailure.why}); training on '${backend}' is far slower.`);
      return current;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      if (forced) {
        throw new Error(`Backend '${backend}' was requested but cannot be loaded: ${why}${installHint(backend)}`);
      }
      skipped.push({ backend, why });
    }
  }
  throw new Error(`No TF.js backend could be initialised: ${skipped.map((s) => `${s.backend}: ${s.why}`).join('; ')}`);
}

/** A one-line human summary of the engine. */
export function describeEngine(info: EngineInfo): string {
  const threads = info.threads === undefined ? '' : `, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return `TF.js ${info.tfjsVersion} on backend '${info.backend}' (${info.device}${threads}): ${info.reason}`;
}

export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_PREFERENCE as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`TFJS_BACKEND='${value}' is not a backend; use one of: ${BACKEND_PREFERENCE.join(', ')}`);
}

async function activate(backend: BackendName): Promise<{ tfBackend: string; threads?: number }> {
  switch (backend) {
    case 'tensorflow-gpu':
      loadNative('@tensorflow/tfjs-node-gpu');
      await setBackend('tensorflow');
      if (!nativeHasGpu()) throw new Error('tfjs-node-gpu loaded but TensorFlow sees no GPU');
      return { tfBackend: 'tensorflow' };
    case 'tensorflow':
      loadNative('@tensorflow/tfjs-node');
      await setBackend('tensorflow');
      return { tfBackend: 'tensorflow' };
    case 'wasm':
      registerCourseKernels(); // the one registration: wasm's training kernels, and the LSTM/loss kernels for cpu too
      return { tfBackend: 'wasm', threads: await startWasm() };
    case 'cpu':
      registerCourseKernels();
      await setBackend('cpu');
      return { tfBackend: 'cpu', threads: 1 };
  }
}

/**
 * Start the wasm backend with `threads` threads (default: `wasmThreadsWanted()`) and return how many it uses.
 * If the threaded build cannot start here, the single-threaded one is started instead, with a warning.
 */
export async function startWasm(threads = wasmThreadsWanted()): Promise<number> {
  const restore = prepareWasmThreads(threads);
  try {
    await setBackend('wasm');
  } catch (error) {
    if (threads <= 1) throw error;
    const why = error instanceof Error ? error.message : String(error);
    console.warn(`The multi-threaded wasm build did not start (${why}); using one thread. TFJS_WASM_THREADS=1 skips it.`);
    prepareWasmThreads(1);
    await setBackend('wasm');
  } finally {
    restore();
  }
  releaseWasmThreadsOnExit((tf.backend() as unknown as { wasm: unknown }).wasm);
  return wasmThreadsInUse();
}

async function setBackend(name: string): Promise<void> {
  if (tf.findBackendFactory(name) === null && tf.findBackend(name) === null) {
    throw new Error(`backend '${name}' is not registered`);
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend '${name}' failed to initialise`);
}

/**
 * Load a native TF.js package. The package name must be the real one: danfojs-node's dependency on tfjs-node is
 * aliased to plain tfjs in this project, so "require succeeded" alone does not prove the native binding is there.
 */
function loadNative(pkg: string): void {
  let manifest: { name?: string };
  try {
    manifest = require(`${pkg}/package.json`);
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  if (manifest.name !== pkg) throw new Error(`${pkg} is not installed (only an alias to ${manifest.name})`);
  require(pkg);
}

function nativeHasGpu(): boolean {
  // tfjs-node-gpu falls back to the CPU silently when CUDA is missing; its backend says which device it uses.
  // Older versions lack the flag: then trust that the GPU package loaded.
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return typeof backend.isUsingGpuDevice === 'boolean' ? backend.isUsingGpuDevice : true;
}

function installHint(backend: BackendName): string {
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') {
    return `. Install it with 'npm run setup:native${backend === 'tensorflow-gpu' ? ' -- --gpu' : ''}' (needs internet${
      backend === 'tensorflow-gpu' ? ', CUDA 11.2 and cuDNN 8.1' : ''
    }).`;
  }
  return '';
}

/**
 * Picks and initialises the TensorFlow.js backend for the course.
 *
 * Preference order: native TensorFlow with a GPU, WebGPU on a hardware GPU (any vendor's), native TensorFlow on the
 * CPU, WebAssembly with the course's own training kernels, and finally the pure-JS `cpu` backend. `TFJS_BACKEND` (or
 * the `backend` option) forces one; forced, webgpu also runs on a software adapter (CI's lavapipe).
 */
import * as tf from '@tensorflow/tfjs';
import { registerCourseKernels } from '../kernels';
import { type AdapterProbe, adapterName, isSoftwareAdapter, probeWebGpuAdapter } from './webgpu-adapter';
import { startWebGpu } from './webgpu-backend';
import { prepareWasmThreads, releaseWasmThreadsOnExit, wasmThreadsInUse, wasmThreadsWanted } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export interface EngineInfo {
  /** The choice made, in the course's terms. */
  backend: BackendName;
  /** The name TF.js knows the backend by (`tf.getBackend()`). */
  tfBackend: string;
  device: 'gpu' | 'cpu';
  /** webgpu: the adapter it computes on, e.g. "NVIDIA GeForce RTX 4070" or "llvmpipe: Mesa 25.0.7 (software)". */
  adapter?: string;
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
      const { tfBackend, threads, adapter, device } = await activate(backend, forced !== undefined);
      const reason = forced
        ? `forced by ${options.backend ? 'the backend option' : 'TFJS_BACKEND'}`
        : skipped.length === 0
          ? 'the fastest backend, and it is available'
          : `the fastest available (${skipped.map((s) => s.backend).join(', ')} not available)`;
      current = {
        backend,
        tfBackend,
        device: device ?? 'cpu',
        ...(adapter === undefined ? {} : { adapter }),
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
  const adapter = info.adapter === undefined ? '' : `: ${info.adapter}`;
  return `TF.js ${info.tfjsVersion} on backend '${info.backend}' (${info.device}${adapter}${threads}): ${info.reason}`;
}

export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_PREFERENCE as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`TFJS_BACKEND='${value}' is not a backend; use one of: ${BACKEND_PREFERENCE.join(', ')}`);
}

interface Activated {
  tfBackend: string;
  device?: EngineInfo['device'];
  adapter?: string;
  threads?: number;
}

async function activate(backend: BackendName, forced: boolean): Promise<Activated> {
  switch (backend) {
    case 'tensorflow-gpu':
      loadNative('@tensorflow/tfjs-node-gpu');
      await setBackend('tensorflow');
      if (!nativeHasGpu()) throw new Error('tfjs-node-gpu loaded but TensorFlow sees no GPU');
      return { tfBackend: 'tensorflow', device: 'gpu' };
    case 'webgpu': {
      if (!forced) await requireHardwareAdapter();
      const { adapter, software } = await startWebGpu(setBackend);
      return { tfBackend: 'webgpu', device: software ? 'cpu' : 'gpu', adapter };
    }
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

let adapterProbe: Promise<AdapterProbe> | undefined;

/**
 * Chosen on its own, webgpu must run on a GPU: on a software adapter (a CPU emulating one) wasm is faster. Asked in a
 * child process, so that a machine without a GPU loads nothing and prints nothing.
 */
async function requireHardwareAdapter(): Promise<void> {
  adapterProbe ??= probeWebGpuAdapter(); // once a process: the machine's GPUs do not change while it runs
  const probe = await adapterProbe;
  if (probe.info === null) throw new Error(probe.why);
  if (isSoftwareAdapter(probe.info)) {
    throw new Error(`only a software adapter (${adapterName(probe.info)}), slower than wasm; TFJS_BACKEND=webgpu uses it anyway`);
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
  if (backend === 'webgpu') {
    return ". WebGPU needs a GPU driver: on Linux a Vulkan one (with no GPU, Mesa's software 'lavapipe', package mesa-vulkan-drivers; Debian 12 needs the one from bookworm-backports)";
  }
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') {
    return `. Install it with 'npm run setup:native${backend === 'tensorflow-gpu' ? ' -- --gpu' : ''}' (needs internet${
      backend === 'tensorflow-gpu' ? ', CUDA 11.2 and cuDNN 8.1' : ''
    }).`;
  }
  return '';
}

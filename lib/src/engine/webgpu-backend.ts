/**
 * Starts tfjs-backend-webgpu in Node on the `webgpu` package (Dawn: Vulkan on Linux, Metal on macOS, Direct3D 12 on
 * Windows). Nothing here loads until the engine asks for webgpu.
 */
import * as tf from '@tensorflow/tfjs';
import { registerCourseKernels } from '../kernels';
import { type WebGpuAdapterInfo, adapterName, isSoftwareAdapter } from './webgpu-adapter';
import { throwGpuErrorsOnRead } from './webgpu-errors';
import { enableSyncReads, trackDawnTicks } from './webgpu-sync-read';

interface Dawn {
  create(flags: string[]): { requestAdapter(options?: object): Promise<{ info: WebGpuAdapterInfo } | null> };
  globals: Record<string, unknown>;
}

export interface WebGpuStarted {
  /** The adapter's name (see adapterName). */
  adapter: string;
  software: boolean;
}

let started: WebGpuStarted | undefined;

/**
 * Make 'webgpu' the TF.js backend. Throws (with the reason) when there is no adapter. Dawn's globals and
 * `navigator.gpu` must exist before the backend package loads: it registers itself only if it sees them.
 */
export async function startWebGpu(setBackend: (name: string) => Promise<void>): Promise<WebGpuStarted> {
  if (started === undefined) {
    trackDawnTicks(); // before Dawn schedules anything
    const dawn = loadDawn();
    for (const [name, value] of Object.entries(dawn.globals)) {
      if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }); // the one the backend will get
    if (adapter === null) throw new Error('no WebGPU adapter (on Linux: no working Vulkan driver)');
    exposeGpu(gpu);
    require('@tensorflow/tfjs-backend-webgpu');
    registerCourseKernels(); // its fix of webgpu's Cast; the others are for wasm and cpu
    started = { adapter: adapterName(adapter.info), software: isSoftwareAdapter(adapter.info) };
  }
  await setBackend('webgpu');
  enableSyncReads(tf.backend());
  throwGpuErrorsOnRead(tf.backend());
  return started;
}

function loadDawn(): Dawn {
  try {
    return require('webgpu') as Dawn;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new Error("the 'webgpu' package is not installed");
    if (code === 'ERR_REQUIRE_ESM') throw new Error(`the 'webgpu' package needs Node.js 20.19 or newer (this is ${process.version})`);
    throw error;
  }
}

/** `navigator.gpu`, on Node's own `navigator` (Node 21+) or on a new one. */
function exposeGpu(gpu: object): void {
  const holder = globalThis as { navigator?: object };
  if (holder.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
}

/**
 * Starts a benchmark's backend in one of the two kernel variants the figures compare:
 * `stock` = tfjs-backend-wasm plus only the training kernels it lacks; `course` = with the course's fast replacements.
 */
import * as tf from '@tensorflow/tfjs';
import { adapterName, initEngine, isSoftwareAdapter, probeWebGpuAdapter, startWasm } from '@dl-course/lib/engine';
import { registerCourseKernels, restoreStockKernels } from '@dl-course/lib/kernels';

export type KernelVariant = 'stock' | 'course';

/** Select the wasm kernel variant (no-op for other backends). */
export function useKernelVariant(backend: string, variant: KernelVariant): void {
  if (backend !== 'wasm') return;
  if (variant === 'stock') restoreStockKernels();
  else registerCourseKernels();
}

/**
 * Load and start `backend` with the given kernel variant; wasm with `threads` threads (default: as the engine
 * chooses). Returns the threads in use.
 */
export async function startBackend(backend: string, variant: KernelVariant, threads?: number): Promise<number> {
  if (backend === 'wasm') {
    registerCourseKernels();
    useKernelVariant(backend, variant);
    return startWasm(threads);
  }
  if (backend === 'webgpu') {
    await initEngine({ backend: 'webgpu', verbose: false }); // Dawn and the backend package load only here
    return 1;
  }
  useKernelVariant(backend, variant);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  await tf.ready();
  return 1;
}

/**
 * Why the bench leaves webgpu out, or undefined to measure it: no adapter; or, unless `named` (--backends webgpu),
 * a software adapter, which computes on the CPU slower than wasm (the engine would not choose it either).
 */
export async function webgpuUnwanted(named: boolean): Promise<string | undefined> {
  const probe = await probeWebGpuAdapter();
  if (probe.info === null) return probe.why;
  if (!named && isSoftwareAdapter(probe.info)) return `only a software adapter (${adapterName(probe.info)}); --backends webgpu measures it`;
  console.error(`webgpu adapter: ${adapterName(probe.info)}`);
  return undefined;
}

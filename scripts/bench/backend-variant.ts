/**
 * Starts a benchmark's backend in one of the two kernel variants the figures compare:
 * `stock` = tfjs-backend-wasm plus only the training kernels it lacks; `course` = with the course's fast replacements.
 */
import * as tf from '@tensorflow/tfjs';
import { startWasm } from '@dl-course/lib/engine';
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
  useKernelVariant(backend, variant);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  await tf.ready();
  return 1;
}

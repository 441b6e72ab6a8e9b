/**
 * Starts a benchmark's backend in one of the two kernel variants the figures compare:
 * `stock` = tfjs-backend-wasm plus only the training kernels it lacks; `course` = with the course's fast replacements.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../lib/src/kernels';
import { registerWasmFusedKernels, restoreStockWasmKernels } from '../../lib/src/kernels/fused-index';

export type KernelVariant = 'stock' | 'course';

/** Select the wasm kernel variant (no-op for other backends). */
export function useKernelVariant(backend: string, variant: KernelVariant): void {
  if (backend !== 'wasm') return;
  if (variant === 'stock') restoreStockWasmKernels();
  else registerWasmFusedKernels();
}

/** Load and start `backend` with the given kernel variant. */
export async function startBackend(backend: string, variant: KernelVariant): Promise<void> {
  if (backend === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  }
  useKernelVariant(backend, variant);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  await tf.ready();
}

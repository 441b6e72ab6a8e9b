/**
 * The performance kernels (transpose-free matmul for wasm, whole-sequence LSTM for wasm and cpu) and the fused
 * layers' public API. `registerWasmFusedKernels` is called by `registerWasmTrainingKernels`.
 */
import { registerLstmSequenceKernels } from './lstm-kernels';
import { registerTransposeFreeMatMul } from './fused-transpose-matmul';

export { FusedLstm, fusedLstm } from './lstm-layer';
export type { FusedLstmArgs } from './lstm-layer';
export { lstmSequence } from './lstm-sequence';
export type { LstmWeights } from './lstm-sequence';
export type { LstmGateActivation } from './lstm-kernels';

/** Register the speed-ups for the wasm backend (idempotent; safe before or after the backend starts). */
export function registerWasmFusedKernels(): void {
  registerTransposeFreeMatMul('wasm');
  registerLstmSequenceKernels();
}

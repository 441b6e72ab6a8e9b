/**
 * The performance kernels (transpose-free matmul and XNNPACK conv input gradient for wasm, whole-sequence LSTM and
 * classifier loss / softmax gradient for wasm and cpu) and the fused layers' public API. `registerWasmFusedKernels` is called by
 * `registerWasmTrainingKernels`; `restoreStockWasmKernels` undoes the replacements (benchmarks measure both).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, adamUpdateWasm } from './adam-update';
import { conv2dBackpropInputWasm } from './conv2d-backprop';
import { blockTransposeKernel } from './block-transpose';
import { blockReverseKernel, blockSliceKernel, blockTileKernel } from './fused-copy-kernels';
import { rowGatherKernel } from './fused-gather';
import { leadingAxesSumKernel } from './leading-axes-sum';
import { sharedCastKernel, sharedIdentityKernel } from './zero-copy-kernels';
import { registerSoftmaxGradient, restoreSoftmaxGradient } from './classifier-loss-kernels';
import { registerLstmSequenceKernels } from './lstm-kernels';
import { registerTransposeFreeMatMul, unregisterTransposeFreeMatMul } from './fused-transpose-matmul';

export { ADAM_UPDATE, adamUpdateWasm } from './adam-update';
export type { AdamUpdateAttrs } from './adam-update';
export { FusedLstm, fusedLstm } from './lstm-layer';
export type { FusedLstmArgs } from './lstm-layer';
export { lstmSequence } from './lstm-sequence';
export type { LstmWeights } from './lstm-sequence';
export type { LstmGateActivation } from './lstm-kernels';

/**
 * Stock wasm kernels that are correct but slow for training, and the course kernel that replaces each.
 * Conv2DBackpropInput: the stock kernel is a scalar loop (31 of 62 ms in an MNIST CNN training step); the kernels
 * module's version is one XNNPACK convolution. GatherV2, Tile, Reverse: block copies instead of per-element index
 * arithmetic (Tile in the batch-norm gradient: 141 ms for [64,32,32,32]; Slice of a 64-row batch from 6400 rows:
 * 9.8 ms). Sum over leading axes (bias gradients): one SIMD row sweep instead of a transpose first. Transpose:
 * SIMD 4x4 blocks (1.7 ms for an LSTM's [2560, 256] gate gradient before). Identity and same-type Cast: the output
 * shares the input's memory instead of copying it.
 * `make` receives the kernel it replaces (to delegate the cases it does not speed up).
 */
const WASM_SPEED_REPLACEMENTS: { kernelName: string; make: (stock: tf.KernelFunc) => tf.KernelFunc }[] = [
  { kernelName: 'Conv2DBackpropInput', make: () => conv2dBackpropInputWasm as unknown as tf.KernelFunc },
  { kernelName: 'GatherV2', make: rowGatherKernel },
  { kernelName: 'Tile', make: blockTileKernel },
  { kernelName: 'Reverse', make: blockReverseKernel },
  { kernelName: 'Slice', make: blockSliceKernel },
  { kernelName: 'Sum', make: leadingAxesSumKernel },
  { kernelName: 'Transpose', make: blockTransposeKernel },
  { kernelName: 'Identity', make: sharedIdentityKernel },
  { kernelName: 'Cast', make: sharedCastKernel },
];
/** Kernel functions this module installed, to recognise them (registration is idempotent). */
const installed = new Set<tf.KernelFunc>();
const stockKernels = new Map<string, tf.KernelConfig>();

/** Register the speed-ups for the wasm backend (idempotent; safe before or after the backend starts). */
export function registerWasmFusedKernels(): void {
  registerTransposeFreeMatMul('wasm');
  registerLstmSequenceKernels();
  registerSoftmaxGradient();
  if (tf.getKernel(ADAM_UPDATE, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: ADAM_UPDATE, backendName: 'wasm', kernelFunc: adamUpdateWasm as unknown as tf.KernelFunc });
  }
  for (const { kernelName, make } of WASM_SPEED_REPLACEMENTS) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current === undefined || installed.has(current.kernelFunc)) continue;
    if (!stockKernels.has(kernelName)) stockKernels.set(kernelName, current);
    const kernelFunc = make(current.kernelFunc);
    installed.add(kernelFunc);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...current, kernelFunc });
  }
}

/**
 * Put back the stock wasm kernels replaced for speed and TF.js's softmax gradient, and drop the fused Adam step (the
 * course's Adam then runs TF.js's ops). The LSTM and loss kernels stay: they replace nothing.
 */
export function restoreStockWasmKernels(): void {
  unregisterTransposeFreeMatMul('wasm');
  restoreSoftmaxGradient();
  if (tf.getKernel(ADAM_UPDATE, 'wasm') !== undefined) tf.unregisterKernel(ADAM_UPDATE, 'wasm');
  for (const [kernelName, config] of stockKernels) {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(config);
  }
  stockKernels.clear();
}

/**
 * Training kernels that @tensorflow/tfjs-backend-wasm lacks, registered for the 'wasm' backend.
 *
 * One file per kernel family; each says why it exists and how it computes. All heavy arithmetic runs in the wasm
 * backend's own XNNPACK kernels (see wasm-kernel-runner.ts); see docs/kernels.md.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from './conv2d-backprop';
import { depthwiseConv2dBackpropFilterWasm, depthwiseConv2dBackpropInputWasm } from './depthwise-conv2d-backprop';
import { einsumWasm } from './einsum';
import { maxPoolGradWasm } from './max-pool-grad';
import { resizeBilinearGradWasm } from './resize-bilinear-grad';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum';
import { registerWasmFusedKernels } from './fused-index';
export * from './fused-index';

export { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './conv2d-backprop';
export { depthwiseConv2dBackpropFilterWasm, depthwiseConv2dBackpropInputWasm } from './depthwise-conv2d-backprop';
export { einsumWasm } from './einsum';
export { maxPoolGradWasm } from './max-pool-grad';
export { resizeBilinearGradWasm } from './resize-bilinear-grad';
export { unsortedSegmentSumWasm } from './unsorted-segment-sum';

export interface WasmCourseKernel {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
}

/** The kernels the course adds to 'wasm' when the backend does not have them. */
export const WASM_TRAINING_KERNELS: readonly WasmCourseKernel[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseConv2dBackpropFilterWasm as tf.KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseConv2dBackpropInputWasm as tf.KernelFunc },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSumWasm as tf.KernelFunc },
  { kernelName: 'Einsum', kernelFunc: einsumWasm as tf.KernelFunc },
];

/** Kernels tfjs-backend-wasm 4.22 has but gets wrong (or slow) for training; the course's version replaces them. */
export const WASM_REPLACED_KERNELS: readonly WasmCourseKernel[] = [
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGradWasm as tf.KernelFunc },
  { kernelName: 'ResizeBilinearGrad', kernelFunc: resizeBilinearGradWasm as tf.KernelFunc },
];

/**
 * Register the course's wasm training kernels. Safe to call any number of times, before or after the wasm backend
 * is initialised; a missing kernel that 'wasm' already has (a newer tfjs-backend-wasm) is left alone.
 */
export function registerWasmTrainingKernels(): void {
  // Load the wasm package (registering its stock kernels) first: loaded later, it would overwrite the replacements.
  require('@tensorflow/tfjs-backend-wasm');
  for (const { kernelName, kernelFunc } of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  for (const { kernelName, kernelFunc } of WASM_REPLACED_KERNELS) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  registerWasmFusedKernels();
}

/**
 * The one place course kernels are registered. Each kernel file exports its configs; `COURSE_KERNELS` lists them;
 * `registerCourseKernels()` installs them (the engine calls it when it starts wasm, cpu or webgpu) and
 * `restoreStockKernels()` undoes the speed-only ones (benchmarks compare both).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNELS } from './adam-update';
import { BATCH_NORM_KERNELS } from './batch-norm-kernels';
import { BLOCK_TRANSPOSE_KERNELS } from './block-transpose';
import { BROADCAST_BINARY_KERNELS } from './broadcast-binary';
import { CLASSIFIER_LOSS_KERNELS, SOFTMAX_GRADIENT } from './classifier-loss-kernels';
import { CONV2D_BACKPROP_KERNELS } from './conv2d-backprop';
import type { CourseGradientConfig, CourseKernelConfig } from './course-kernel';
import { DEPTHWISE_CONV2D_BACKPROP_KERNELS } from './depthwise-conv2d-backprop';
import { EINSUM_KERNELS } from './einsum';
import { BLOCK_COPY_KERNELS } from './fused-copy-kernels';
import { ROW_GATHER_KERNELS } from './fused-gather';
import { TRANSPOSE_FREE_MATMUL_KERNELS } from './fused-transpose-matmul';
import { LEADING_AXES_SUM_KERNELS } from './leading-axes-sum';
import { GRU_SEQUENCE_KERNELS } from './gru-kernels';
import { LSTM_SEQUENCE_KERNELS } from './lstm-kernels';
import { MAX_POOL_GRAD_KERNELS } from './max-pool-grad';
import { RESIZE_BILINEAR_GRAD_KERNELS } from './resize-bilinear-grad';
import { TILE_GRADIENT } from './tile-gradient';
import { UNSORTED_SEGMENT_SUM_KERNELS } from './unsorted-segment-sum';
import { WEBGPU_CAST_KERNELS } from './webgpu-cast';
import { ZERO_COPY_KERNELS } from './zero-copy-kernels';

/** Every course kernel, in registration order. */
export const COURSE_KERNELS: readonly CourseKernelConfig[] = [
  ...CONV2D_BACKPROP_KERNELS,
  ...DEPTHWISE_CONV2D_BACKPROP_KERNELS,
  ...UNSORTED_SEGMENT_SUM_KERNELS,
  ...EINSUM_KERNELS,
  ...MAX_POOL_GRAD_KERNELS,
  ...RESIZE_BILINEAR_GRAD_KERNELS,
  ...TRANSPOSE_FREE_MATMUL_KERNELS,
  ...LSTM_SEQUENCE_KERNELS,
  ...GRU_SEQUENCE_KERNELS,
  ...CLASSIFIER_LOSS_KERNELS,
  ...ADAM_UPDATE_KERNELS,
  ...ROW_GATHER_KERNELS,
  ...BLOCK_COPY_KERNELS,
  ...LEADING_AXES_SUM_KERNELS,
  ...BATCH_NORM_KERNELS,
  ...BROADCAST_BINARY_KERNELS,
  ...BLOCK_TRANSPOSE_KERNELS,
  ...ZERO_COPY_KERNELS,
  ...WEBGPU_CAST_KERNELS,
];

/** Gradients the course replaces, restored with the speed kernels. */
export const COURSE_GRADIENTS: readonly CourseGradientConfig[] = [SOFTMAX_GRADIENT, TILE_GRADIENT];

/** Kernel functions installed here, to recognise them (registering twice changes nothing). */
const installed = new Set<tf.KernelFunc>();
/** What `speeds` kernels replaced ('<kernel>/<backend>' -> the stock config, or null where there was none). */
const replacedForSpeed = new Map<string, tf.KernelConfig | null>();
const replacedGradients = new Map<string, tf.GradConfig>();

/** True when `kernelFunc` is one of the course's (as registered by `registerCourseKernels`). */
export function isCourseKernel(kernelFunc: tf.KernelFunc | undefined): boolean {
  return kernelFunc !== undefined && installed.has(kernelFunc);
}

/**
 * Install every course kernel and gradient (idempotent; safe before or after the backend starts). Loads the wasm
 * package first: loaded later, it would register its stock kernels over the course's.
 */
export function registerCourseKernels(): void {
  require('@tensorflow/tfjs-backend-wasm');
  for (const config of COURSE_KERNELS) {
    for (const backendName of config.backendNames) install(config, backendName);
  }
  for (const { kernelName, make } of COURSE_GRADIENTS) {
    const stock = tf.getGradient(kernelName);
    if (stock === undefined || replacedGradients.has(kernelName)) continue;
    replacedGradients.set(kernelName, stock);
    tf.registerGradient(make(stock));
  }
}

function install(config: CourseKernelConfig, backendName: string): void {
  const current = tf.getKernel(config.kernelName, backendName);
  if (current !== undefined && installed.has(current.kernelFunc)) return;
  if (current !== undefined && config.role === 'adds') return; // the backend has its own
  const kernelFunc = config.make(backendName, current?.kernelFunc);
  if (kernelFunc === undefined) return;
  installed.add(kernelFunc);
  if (current !== undefined) tf.unregisterKernel(config.kernelName, backendName);
  if (config.role === 'speeds') {
    replacedForSpeed.set(`${config.kernelName}/${backendName}`, current ?? null);
    // A faster version of the stock kernel keeps its setup (the wasm backend's per-kernel initialisation).
    tf.registerKernel({ ...current, kernelName: config.kernelName, backendName, kernelFunc });
  } else {
    tf.registerKernel({ kernelName: config.kernelName, backendName, kernelFunc });
  }
}

/**
 * Undo the speed-only kernels and gradients: the stock kernels come back and kernels that only save time (the
 * fused Adam step) go. The kernels that add or fix what training needs stay.
 */
export function restoreStockKernels(): void {
  for (const [key, stock] of replacedForSpeed) {
    const [kernelName, backendName] = key.split('/') as [string, string];
    tf.unregisterKernel(kernelName, backendName);
    if (stock !== null) tf.registerKernel(stock);
  }
  replacedForSpeed.clear();
  for (const stock of replacedGradients.values()) tf.registerGradient(stock);
  replacedGradients.clear();
}

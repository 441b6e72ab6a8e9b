/**
 * The course's own kernels: the training kernels tfjs-backend-wasm lacks or gets wrong, and faster versions of slow
 * ones; the LSTM and GRU recurrences and classifier losses also for cpu. Heavy arithmetic runs in the wasm backend's
 * XNNPACK operators (wasm-kernel-runner.ts) or in the course's SIMD routines (simd/). One file per kernel family,
 * each exporting its configs; registry.ts lists and registers them all. See docs/kernels.md.
 */
export { type CourseGradientConfig, type CourseKernelConfig, type CourseKernelRole } from './course-kernel';
export { COURSE_GRADIENTS, COURSE_KERNELS, isCourseKernel, registerCourseKernels, restoreStockKernels } from './registry';
export { hasKernel } from './host-memory';
export { type RecurrentGateActivation } from './recurrent-kernel-common';
export { ADAM_UPDATE, type AdamUpdateAttrs, adamUpdateWasm } from './adam-update';
export { BATCH_MOMENTS, BATCH_NORM_GRAD, type BatchNormGradAttrs } from './batch-norm-kernels';
export { CROSS_ENTROPY, CROSS_ENTROPY_GRAD, type CrossEntropyAttrs, SOFTMAX_GRAD } from './classifier-loss-kernels';
export { LSTM_BACKWARD_KERNEL, LSTM_FORWARD_KERNEL, type LstmGateActivation } from './lstm-kernels';
export { GRU_BACKWARD_KERNEL, GRU_FORWARD_KERNEL, type GruGateActivation } from './gru-kernels';
export { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './conv2d-backprop';
export { depthwiseConv2dBackpropFilterWasm, depthwiseConv2dBackpropInputWasm } from './depthwise-conv2d-backprop';
export { einsumWasm } from './einsum';
export { maxPoolGradWasm } from './max-pool-grad';
export { resizeBilinearGradWasm } from './resize-bilinear-grad';
export { unsortedSegmentSumWasm } from './unsorted-segment-sum';

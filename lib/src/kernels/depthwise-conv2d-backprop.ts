/**
 * Depthwise-convolution gradients for wasm (MobileNet-style separable convolutions), each as ONE wasm
 * `DepthwiseConv2dNative` (XNNPACK) plus cheap Transposes/Reshapes and a Sum over the channel multiplier.
 *
 * Why: tfjs-backend-wasm 4.22 has neither `DepthwiseConv2dNativeBackpropFilter` nor `...BackpropInput`.
 */
import * as tf from '@tensorflow/tfjs';
import { Padding, Pair, RoundingMode, assertShape, describeForwardConv } from './conv-geometry';
import { correlateForFilterGradient, stuffAndCropGradient } from './conv2d-backprop';
import { TensorInfo, WasmBackend, requireInputs, withWasmKernels } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

interface DepthwiseBackpropAttrs {
  strides: number | Pair;
  dilations?: number | Pair;
  pad: Padding;
  dimRoundingMode?: RoundingMode;
  filterShape?: number[];
  inputShape?: number[];
}

/**
 * dW[kh,kw,c,m] = sum over (n,oh,ow) of x[n, oh*s+kh*d-pad, ow*s+kw*d-pad, c] * dy[n,oh,ow,c*M+m].
 * Folding the batch into the channels ([1, h, w, n*c]) and using dy as an [oh, ow, n*c, M] depthwise filter gives
 * every (n, c) pair its own correlation; a Sum over n finishes the reduction.
 */
export function depthwiseConv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { x, dy } = requireInputs('DepthwiseConv2dNativeBackpropFilter', args.inputs, ['x', 'dy']);
  const attrs = args.attrs as unknown as DepthwiseBackpropAttrs;
  const filterShape = requireShape('DepthwiseConv2dNativeBackpropFilter', 'filterShape', attrs.filterShape);
  const conv = describeForwardConv(x.shape, filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const [kh, kw, channels, multiplier] = filterShape;
  assertShape('DepthwiseConv2dNativeBackpropFilter', 'dy', dy.shape, [conv.batch, conv.outHeight, conv.outWidth, channels * multiplier]);
  const n = conv.batch;
  return withWasmKernels(args.backend as WasmBackend, (run) => {
    const xFolded = run.reshape(run.transpose(x, [1, 2, 0, 3]), [1, conv.inHeight, conv.inWidth, n * channels]);
    const dyAsFilter = run.reshape(run.transpose(dy, [1, 2, 0, 3]), [conv.outHeight, conv.outWidth, n * channels, multiplier]);
    const taps = correlateForFilterGradient(run, 'DepthwiseConv2dNative', xFolded, dyAsFilter, conv); // [1, kh, kw, n*c*M]
    const perSample = run.reshape(taps, [kh, kw, n, channels * multiplier]);
    const summed = n === 1 ? run.reshape(perSample, [kh, kw, channels * multiplier]) : run.sum(perSample, [2]);
    return run.reshape(summed, [kh, kw, channels, multiplier]);
  });
}

/**
 * dx[c] = sum over m of (zero-stuffed dy[c*M+m]) correlated with the 180°-rotated w[:,:,c,m]: one stride-1
 * depthwise convolution with multiplier 1 over the c*M channels, then a Sum over m.
 */
export function depthwiseConv2dBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { dy, filter } = requireInputs('DepthwiseConv2dNativeBackpropInput', args.inputs, ['dy', 'filter']);
  const attrs = args.attrs as unknown as DepthwiseBackpropAttrs;
  const inputShape = requireShape('DepthwiseConv2dNativeBackpropInput', 'inputShape', attrs.inputShape);
  const conv = describeForwardConv(inputShape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const [kh, kw, channels, multiplier] = filter.shape;
  assertShape('DepthwiseConv2dNativeBackpropInput', 'dy', dy.shape, [conv.batch, conv.outHeight, conv.outWidth, channels * multiplier]);
  return withWasmKernels(args.backend as WasmBackend, (run) => {
    const rotated = run.reshape(run.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]);
    const { stuffed, pad } = stuffAndCropGradient(run, dy, conv);
    const perMultiplier = run.run(
      'DepthwiseConv2dNative',
      { x: stuffed, filter: rotated },
      { strides: [1, 1], dilations: conv.dilation, pad },
    ); // [n, h, w, c*M]
    if (multiplier === 1) return perMultiplier;
    const split = run.reshape(perMultiplier, [conv.batch, conv.inHeight, conv.inWidth, channels, multiplier]);
    return run.sum(split, [4]);
  });
}

function requireShape(kernel: string, name: string, shape: number[] | undefined): number[] {
  if (!Array.isArray(shape) || shape.length !== 4) throw new Error(`${kernel}: attribute ${name} must be a 4-D shape`);
  return shape;
}

export const DEPTHWISE_CONV2D_BACKPROP_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendNames: ['wasm'], role: 'adds', make: () => depthwiseConv2dBackpropFilterWasm as unknown as tf.KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendNames: ['wasm'], role: 'adds', make: () => depthwiseConv2dBackpropInputWasm as unknown as tf.KernelFunc },
];

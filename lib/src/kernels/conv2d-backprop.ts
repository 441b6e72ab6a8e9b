/**
 * Conv2D gradients for wasm, each expressed as ONE forward convolution run by the wasm backend's XNNPACK `Conv2D`.
 *
 * Why: tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` at all, and its `Conv2DBackpropInput` is a plain
 * scalar loop (no XNNPACK). Rewriting both gradients as convolutions puts all the multiply-adds in XNNPACK's GEMM
 * micro-kernels; the remaining work is a few wasm Transposes/Reshapes/Pads of the operands.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Padding,
  Pair,
  RoundingMode,
  assertChannelsLast,
  assertShape,
  describeForwardConv,
  filterGradientPadding,
  inputGradientWindow,
  ForwardConv,
} from './conv-geometry';
import { TensorInfo, WasmBackend, WasmKernelRunner, requireInputs, withWasmKernels } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

interface Conv2DBackpropFilterAttrs {
  strides: number | Pair;
  pad: Padding;
  dataFormat?: string;
  dimRoundingMode?: RoundingMode;
  filterShape: number[];
}

interface Conv2DBackpropInputAttrs {
  strides: number | Pair;
  pad: Padding;
  dataFormat?: string;
  dimRoundingMode?: RoundingMode;
  inputShape: number[];
}

/**
 * dW[kh,kw,ci,co] = sum over (n,oh,ow) of x[n, oh*s+kh*d-pad, ow*s+kw*d-pad, ci] * dy[n,oh,ow,co]:
 * a convolution of x^T (batch = ci, channels = n) by dy (filter size = output size, in = n, out = co), with
 * stride = the forward dilation and dilation = the forward stride.
 */
export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { x, dy } = requireInputs('Conv2DBackpropFilter', args.inputs, ['x', 'dy']);
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  assertChannelsLast('Conv2DBackpropFilter', attrs.dataFormat);
  const conv = describeForwardConv(x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false);
  const outChannels = attrs.filterShape[3];
  assertShape('Conv2DBackpropFilter', 'dy', dy.shape, [conv.batch, conv.outHeight, conv.outWidth, outChannels]);
  return withWasmKernels(args.backend as WasmBackend, (run) => {
    const xByChannel = run.transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]
    const dyAsFilter = run.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
    const taps = correlateForFilterGradient(run, 'Conv2D', xByChannel, dyAsFilter, conv, { dataFormat: 'NHWC' }); // [ci, kh, kw, co]
    return run.transpose(taps, [1, 2, 0, 3]); // [kh, kw, ci, co]
  });
}

/**
 * The correlation both filter gradients (Conv2D and depthwise) reduce to: x correlated with dy used as the filter,
 * where the forward stride and dilation swap roles; the result is cropped to the filter's size, since the padding
 * may reach past the last tap.
 */
export function correlateForFilterGradient(
  run: WasmKernelRunner,
  kernel: 'Conv2D' | 'DepthwiseConv2dNative',
  x: TensorInfo,
  dyAsFilter: TensorInfo,
  conv: ForwardConv,
  extraAttrs: tf.NamedAttrMap = {},
): TensorInfo {
  const pad = filterGradientPadding(conv);
  const taps = run.run(
    kernel,
    { x, filter: dyAsFilter },
    {
      strides: conv.dilation,
      dilations: conv.stride,
      pad: [
        [0, 0],
        [pad.top, pad.bottom],
        [pad.left, pad.right],
        [0, 0],
      ],
      ...extraAttrs,
    },
  ); // [batch, >=kh, >=kw, channels]
  if (taps.shape[1] === conv.filterHeight && taps.shape[2] === conv.filterWidth) return taps;
  return run.slice(taps, [0, 0, 0, 0], [taps.shape[0], conv.filterHeight, conv.filterWidth, taps.shape[3]]);
}

/**
 * dx = the stride-1 convolution of the zero-stuffed dy by the filter rotated 180° with in/out channels swapped
 * (the "transposed convolution" identity), run by XNNPACK.
 */
export function conv2dBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { dy, filter } = requireInputs('Conv2DBackpropInput', args.inputs, ['dy', 'filter']);
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  assertChannelsLast('Conv2DBackpropInput', attrs.dataFormat);
  const conv = describeForwardConv(attrs.inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false);
  const outChannels = filter.shape[3];
  assertShape('Conv2DBackpropInput', 'dy', dy.shape, [conv.batch, conv.outHeight, conv.outWidth, outChannels]);
  return withWasmKernels(args.backend as WasmBackend, (run) => {
    const rotated = run.reverse(filter, [0, 1]);
    const swapped = run.transpose(rotated, [0, 1, 3, 2]); // [kh, kw, co, ci]
    const { stuffed, pad } = stuffAndCropGradient(run, dy, conv);
    return run.run('Conv2D', { x: stuffed, filter: swapped }, { strides: [1, 1], dilations: conv.dilation, pad, dataFormat: 'NHWC' });
  });
}

/**
 * Insert stride-1 zeros after every row and column of dy (Reshape + Pad, no JS loop) and crop it where the
 * forward padding exceeded the filter; returns the explicit padding for the stride-1 convolution.
 */
export function stuffAndCropGradient(
  run: WasmKernelRunner,
  dy: TensorInfo,
  conv: ForwardConv,
): { stuffed: TensorInfo; pad: tf.backend_util.ExplicitPadding } {
  const [sh, sw] = conv.stride;
  const [n, oh, ow, channels] = dy.shape;
  let stuffed = dy;
  if (sh > 1 || sw > 1) {
    const spread = run.reshape(dy, [n, oh, 1, ow, 1, channels]);
    const padded = run.pad(spread, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    stuffed = run.reshape(padded, [n, oh * sh, ow * sw, channels]);
  }
  const window = inputGradientWindow(conv);
  if (window.cropTop + window.cropBottom + window.cropLeft + window.cropRight > 0) {
    const height = oh * sh - window.cropTop - window.cropBottom;
    const width = ow * sw - window.cropLeft - window.cropRight;
    if (height <= 0 || width <= 0) {
      throw new Error(`convolution gradient: padding [${conv.padTop},${conv.padLeft}] leaves no input window`);
    }
    stuffed = run.slice(stuffed, [0, window.cropTop, window.cropLeft, 0], [n, height, width, channels]);
  }
  return { stuffed, pad: window.pad };
}

/** The filter gradient wasm lacks, and the input gradient as one XNNPACK convolution (the stock one is a scalar loop: 31 of 62 ms in an MNIST CNN training step). */
export const CONV2D_BACKPROP_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendNames: ['wasm'], role: 'adds', make: () => conv2dBackpropFilterWasm as unknown as tf.KernelFunc },
  { kernelName: 'Conv2DBackpropInput', backendNames: ['wasm'], role: 'speeds', make: () => conv2dBackpropInputWasm as unknown as tf.KernelFunc },
];

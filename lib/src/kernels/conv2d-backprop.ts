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
import { SimdWasmBackend, simdOn } from './simd/simd-module';
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
  const byProducts = shiftedRowsApply(conv, outChannels, x.dtype);
  return withWasmKernels(args.backend as WasmBackend, (run) =>
    byProducts ? filterGradientByShiftedRows(run, x, dy, conv, outChannels) : filterGradientByCorrelation(run, x, dy, conv),
  );
}

/** x^T correlated with dy used as the filter: one XNNPACK convolution (any stride and dilation). */
export function filterGradientByCorrelation(run: WasmKernelRunner, x: TensorInfo, dy: TensorInfo, conv: ForwardConv): TensorInfo {
  const xByChannel = run.transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]
  const dyAsFilter = run.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
  const taps = correlateForFilterGradient(run, 'Conv2D', xByChannel, dyAsFilter, conv, { dataFormat: 'NHWC' }); // [ci, kh, kw, co]
  return run.transpose(taps, [1, 2, 0, 3]); // [kh, kw, ci, co]
}

/**
 * Where filterGradientByShiftedRows applies and is faster: stride and dilation 1, float32, output channels a
 * multiple of 4, and at most 32 input channels. Measured at high priority on 2 threads, XNNPACK's correlation vs the
 * products, 3x3 'same', batch 64: 32x32x3 -> 32 26.0 vs 11.0 ms, 32x32x32 -> 32 61.4 vs 51.7 ms, 16x16x32 -> 64
 * 32.2 vs 27.6 ms; but 16x16x64 -> 64 44.7 vs 54.2 ms and 8x8x128 -> 128 35.7 vs 61.1 ms.
 */
export function shiftedRowsApply(conv: ForwardConv, outChannels: number, dtype: string): boolean {
  const unit = conv.stride.every((s) => s === 1) && conv.dilation.every((d) => d === 1);
  return unit && outChannels % 4 === 0 && dtype === 'float32' && conv.inChannels <= SHIFTED_ROWS_MAX_IN_CHANNELS;
}

const SHIFTED_ROWS_MAX_IN_CHANNELS = 32;

/**
 * A stride-1 filter gradient as products, tap by tap, with no im2col copy. Pad x and lay its pixels out as rows
 * [n * Hp * Wp, ci] (Hp, Wp: the padded size); lay dy out the same way, zero where no output pixel is. Then the input
 * pixel under tap (i, j) of output pixel r is row r + i * Wp + j, so
 *   dW[i, j] [ci, co] = x^T [ci, rows r + i Wp + j] . dy [rows r, co],
 * a block of columns of x^T (one transpose for all taps) times dy. The SIMD routine runs it in blocks of dy's rows
 * small enough to stay in cache, all taps per block, adding into dW. Padding adds about (Hp Wp) / (H W) - 1 to the
 * arithmetic (13% for 32x32 'same' 3x3).
 */
export function filterGradientByShiftedRows(run: WasmKernelRunner, x: TensorInfo, dy: TensorInfo, conv: ForwardConv, outChannels: number): TensorInfo {
  const { batch, inChannels, filterHeight, filterWidth, outHeight, outWidth } = conv;
  const paddedHeight = conv.inHeight + conv.padTop + conv.padBottom;
  const paddedWidth = conv.inWidth + conv.padLeft + conv.padRight;
  const rows = batch * paddedHeight * paddedWidth;
  const reach = (filterHeight - 1) * paddedWidth + (filterWidth - 1);
  const padded = run.pad(x, [[0, 0], [conv.padTop, conv.padBottom], [conv.padLeft, conv.padRight], [0, 0]]);
  // Zero rows past the end: the last taps of the last rows read there (and multiply a zero dy).
  const extended = run.pad(run.reshape(padded, [rows, inChannels]), [[0, reach], [0, 0]]);
  const xT = run.transpose(extended, [1, 0]); // [ci, rows + reach]
  const dyRows = run.reshape(run.pad(dy, [[0, 0], [0, paddedHeight - outHeight], [0, paddedWidth - outWidth], [0, 0]]), [rows, outChannels]);
  const dW = run.output([filterHeight, filterWidth, inChannels, outChannels]);
  const { parallel, threads, offset } = simdOn(run.backend as unknown as SimdWasmBackend);
  const [xAt, dyAt, dWAt] = [offset(xT), offset(dyRows), offset(dW)];
  const blockRows = Math.max(1, Math.floor(SHIFTED_ROWS_BLOCK / outChannels));
  // The taps are shared out between the threads (each writes its own dW[i, j]); each thread walks dy block by block.
  const taps = filterHeight * filterWidth;
  const parts = Math.min(threads, taps);
  const lists = Array.from({ length: parts }, (_, t) => {
    const calls = [];
    for (let first = 0; first < rows; first += blockRows) {
      const k = Math.min(blockRows, rows - first);
      for (let tap = Math.floor((taps * t) / parts); tap < Math.floor((taps * (t + 1)) / parts); tap++) {
        const [i, j] = [Math.floor(tap / filterWidth), tap % filterWidth];
        calls.push({
          routine: first === 0 ? 'smallMatMul' : 'smallMatMulAdd',
          args: {
            a: xAt + 4 * (first + i * paddedWidth + j),
            b: dyAt + 4 * first * outChannels,
            out: dWAt + 4 * tap * inChannels * outChannels,
            batch: 1,
            m: inChannels,
            k,
            n: outChannels,
            aRowBytes: 4 * (rows + reach),
          },
        });
      }
    }
    return calls;
  });
  parallel(lists);
  return dW;
}

/** Floats of dy per block of rows: 256 KB, so the block stays in cache while every tap reads it. */
const SHIFTED_ROWS_BLOCK = 65536;

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

/**
 * Shared geometry for the convolution gradients: the forward convolution's shapes and (explicit) paddings, and the
 * conversions of stride/dilation/padding that turn a gradient into another forward convolution.
 */
import * as tf from '@tensorflow/tfjs';

export type Pair = [number, number];
export type Padding = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/** The forward convolution a gradient belongs to, with every padding made explicit. */
export interface ForwardConv {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  stride: Pair;
  dilation: Pair;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

export function toPair(value: number | Pair | undefined, fallback = 1): Pair {
  if (value === undefined || value === null) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

export function assertChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports only channels-last (NHWC) data, got dataFormat '${dataFormat}'`);
  }
}

/** Describe the forward convolution of `inShape` (NHWC) by a filter of `filterShape` (HWIO, or HWCM if depthwise). */
export function describeForwardConv(
  inShape: number[],
  filterShape: number[],
  strides: number | Pair,
  dilations: number | Pair | undefined,
  pad: Padding,
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
): ForwardConv {
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`convolution gradients need 4-D input and filter shapes, got [${inShape}] and [${filterShape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    stride: [info.strideHeight, info.strideWidth],
    dilation: [info.dilationHeight, info.dilationWidth],
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

export function assertShape(kernel: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${kernel}: ${what} has shape [${actual}], expected [${expected}]`);
  }
}

/**
 * Filter gradient as a forward convolution ("correlate the input with dy"): stride and dilation swap roles, the
 * batch becomes the reduced channel axis. The trailing padding is widened when needed so that every filter tap
 * gets a full window (the caller crops the extra taps).
 */
export function filterGradientPadding(conv: ForwardConv): { top: number; bottom: number; left: number; right: number } {
  const needBottom =
    (conv.filterHeight - 1) * conv.dilation[0] + (conv.outHeight - 1) * conv.stride[0] + 1 - conv.inHeight - conv.padTop;
  const needRight =
    (conv.filterWidth - 1) * conv.dilation[1] + (conv.outWidth - 1) * conv.stride[1] + 1 - conv.inWidth - conv.padLeft;
  return {
    top: conv.padTop,
    bottom: Math.max(conv.padBottom, needBottom),
    left: conv.padLeft,
    right: Math.max(conv.padRight, needRight),
  };
}

/**
 * Input gradient as a forward stride-1 convolution of the zero-stuffed dy (each row/column followed by stride-1
 * zeros, `outHeight*stride` rows) with the 180°-rotated filter. Negative paddings become crops of the stuffed dy.
 */
export function inputGradientWindow(conv: ForwardConv): {
  cropTop: number;
  cropBottom: number;
  cropLeft: number;
  cropRight: number;
  pad: tf.backend_util.ExplicitPadding;
} {
  const effH = (conv.filterHeight - 1) * conv.dilation[0] + 1;
  const effW = (conv.filterWidth - 1) * conv.dilation[1] + 1;
  const stuffedH = conv.outHeight * conv.stride[0];
  const stuffedW = conv.outWidth * conv.stride[1];
  const top = effH - 1 - conv.padTop;
  const bottom = conv.inHeight - stuffedH + conv.padTop;
  const left = effW - 1 - conv.padLeft;
  const right = conv.inWidth - stuffedW + conv.padLeft;
  return {
    cropTop: Math.max(0, -top),
    cropBottom: Math.max(0, -bottom),
    cropLeft: Math.max(0, -left),
    cropRight: Math.max(0, -right),
    pad: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

/**
 * MaxPoolGrad for wasm, REPLACING the backend's own kernel.
 *
 * Why: tfjs-backend-wasm 4.22's MaxPoolGrad returns wrong gradients as soon as the input has more than one channel
 * (measured: every window of the second channel got zero gradient; the cpu backend and TensorFlow route dy to the
 * window's maximum). The usual 2x2 / stride 2 pooling with channels a multiple of 4 runs as a SIMD routine
 * (simd/max-pool-routine.ts; a [64,26,26,16] input: 3.5 ms in the JS loop, 0.16 ms); other windows as a typed-array
 * pass directly over the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';
import { TensorInfo, WasmBackend, requireInputs } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

export function maxPoolGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { dy, input } = requireInputs('MaxPoolGrad', args.inputs, ['dy', 'input']);
  const backend = args.backend as WasmBackend;
  const attrs = (args.attrs ?? {}) as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (input.shape.length !== 4) throw new Error(`MaxPoolGrad: input must be 4-D, got shape [${input.shape}]`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.join() !== expectedDy.join()) {
    throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}], expected [${expectedDy}]`);
  }
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views after the only allocation (heap growth detaches older views).
  const dxValues = backend.typedArrayFromHeap(dx);
  const xValues = backend.typedArrayFromHeap(input);
  const dyValues = backend.typedArrayFromHeap(dy);
  const twoByTwo = isPlainTwoByTwo(info);
  const simd = twoByTwo && info.inChannels % 4 === 0;
  // The SIMD routine writes every tap of every window; only positions outside all windows need zeros first.
  if (!simd || info.inHeight !== 2 * info.outHeight || info.inWidth !== 2 * info.outWidth) dxValues.fill(0);
  if (simd) {
    const { routines, offset } = simdOn(backend as unknown as SimdWasmBackend);
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
    routines.maxPoolGrad2x2({ x: offset(input), dy: offset(dy), dx: offset(dx), batch: batchSize, inHeight, inWidth, channels: inChannels, outHeight, outWidth });
  } else if (twoByTwo) routeTwoByTwo(xValues, dyValues, dxValues, info);
  else routeToWindowMaxima(xValues, dyValues, dxValues, info);
  return dx;
}

/**
 * For every pooling window: add its dy to the first (row-major) position holding the window's maximum, as the cpu
 * backend and TensorFlow do (ties matter: windows of ReLU zeros are common). Channels are the innermost loop, so
 * every pass reads contiguous memory; `best`/`bestIndex` hold the running maximum of each channel.
 */
function routeToWindowMaxima(
  x: tf.backend_util.TypedArray,
  dy: tf.backend_util.TypedArray,
  dx: tf.backend_util.TypedArray,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  const best = new Float64Array(channels);
  const bestIndex = new Int32Array(channels);
  let dyBase = 0;
  for (let b = 0; b < batchSize; b++) {
    const imageBase = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const hStart = oh * strideHeight - top;
      const hEnd = Math.min(inHeight, hStart + effectiveFilterHeight);
      let hFirst = hStart;
      while (hFirst < 0) hFirst += dilationHeight;
      for (let ow = 0; ow < outWidth; ow++, dyBase += channels) {
        const wStart = ow * strideWidth - left;
        const wEnd = Math.min(inWidth, wStart + effectiveFilterWidth);
        let wFirst = wStart;
        while (wFirst < 0) wFirst += dilationWidth;
        if (hFirst >= hEnd || wFirst >= wEnd) continue; // a window entirely in the padding gets no gradient
        let first = true;
        for (let h = hFirst; h < hEnd; h += dilationHeight) {
          for (let w = wFirst; w < wEnd; w += dilationWidth) {
            const tap = imageBase + h * rowStride + w * channels;
            if (first) {
              for (let c = 0; c < channels; c++) {
                best[c] = x[tap + c];
                bestIndex[c] = tap + c;
              }
              first = false;
            } else {
              for (let c = 0; c < channels; c++) {
                const value = x[tap + c];
                if (value > best[c]) {
                  best[c] = value;
                  bestIndex[c] = tap + c;
                }
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) dx[bestIndex[c]] += dy[dyBase + c];
      }
    }
  }
}

/** The usual CNN pooling: 2x2 windows, stride 2, no padding, no dilation. */
function isPlainTwoByTwo(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth
  );
}

/** routeToWindowMaxima specialised to 2x2/stride 2/valid: the four taps compared in registers (same tie order). */
function routeTwoByTwo(
  x: tf.backend_util.TypedArray,
  dy: tf.backend_util.TypedArray,
  dx: tf.backend_util.TypedArray,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowBase = (b * inHeight + oh * 2) * rowStride;
      for (let ow = 0; ow < outWidth; ow++) {
        const t0 = rowBase + ow * 2 * channels;
        const t1 = t0 + channels;
        const t2 = t0 + rowStride;
        const t3 = t2 + channels;
        for (let c = 0; c < channels; c++, dyIndex++) {
          let best = x[t0 + c];
          let at = t0 + c;
          if (x[t1 + c] > best) {
            best = x[t1 + c];
            at = t1 + c;
          }
          if (x[t2 + c] > best) {
            best = x[t2 + c];
            at = t2 + c;
          }
          if (x[t3 + c] > best) at = t3 + c;
          dx[at] += dy[dyIndex];
        }
      }
    }
  }
}

/** tfjs-backend-wasm 4.22 has MaxPoolGrad but gets it wrong (or slow) for training. */
export const MAX_POOL_GRAD_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'MaxPoolGrad', backendNames: ['wasm'], role: 'fixes', make: () => maxPoolGradWasm as unknown as tf.KernelFunc },
];

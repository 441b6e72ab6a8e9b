/**
 * Batch normalisation over channels-last [rows, channels] data on wasm, by the course's SIMD routines
 * (simd/batch-norm-routines.ts):
 * - `CourseBatchMoments` (adds): a batch's mean and (biased) variance per channel in two sweeps, where tf.moments
 *   runs Mean, Sub, Square and Mean (the Sub alone broadcasts the mean in a scalar loop).
 * - `FusedBatchNorm` (speeds): y = (x - mean_c) * s_c + offset_c, s_c = scale_c / sqrt(variance_c + eps). The stock
 *   wasm kernel takes 8.5 ms for a [64,32,32,32] batch (a scalar loop that computes each element's channel).
 * - `CourseBatchNormGrad` (adds): the closed-form gradient of batch normalisation in training (see
 *   ops/batch-norm-training.ts) in two passes: the per-channel sums of dy and dy x^, then dx.
 * Statistics of other shapes (not one value per channel of the last axis) go to the stock kernel; other backends
 * compute the gradient with TF.js's ops.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type CourseKernelConfig, type KernelArgs } from './course-kernel';
import { HostMemory, hostMemory } from './host-memory';
import { SimdWasmBackend, simdOn } from './simd/simd-module';

export const BATCH_MOMENTS = 'CourseBatchMoments';
export const BATCH_NORM_GRAD = 'CourseBatchNormGrad';

export interface BatchNormGradAttrs {
  varianceEpsilon: number;
}

/** True when every one of `stats` holds one value per channel of `x`'s last axis ([C] or [1, ..., C]). */
export function perChannel(x: tf.TensorInfo, stats: (tf.TensorInfo | undefined)[]): boolean {
  const channels = x.shape[x.shape.length - 1];
  return (
    x.shape.length >= 1 &&
    x.dtype === 'float32' &&
    stats.every((s) => s === undefined || (s.dtype === 'float32' && tf.util.sizeFromShape(s.shape) === channels && s.shape[s.shape.length - 1] === channels))
  );
}

/** Per channel: 1 / sqrt(variance + eps), and scale / sqrt(variance + eps) (scale 1 when absent). */
function channelConstants(mem: HostMemory, variance: tf.TensorInfo, scale: tf.TensorInfo | undefined, epsilon: number) {
  const V = mem.values(variance), S = scale === undefined ? undefined : mem.values(scale);
  const inverseStd = V.map((v) => 1 / Math.sqrt(v + epsilon));
  const slope = inverseStd.map((r, c) => (S === undefined ? 1 : S[c]) * r);
  return { inverseStd, slope };
}

/** Per-channel arrays copied into one temporary tensor on the heap, for the SIMD routines; `free` when done. */
function onHeap(mem: HostMemory, offsetOf: (info: tf.TensorInfo) => number, arrays: Float32Array[]) {
  const channels = arrays[0].length;
  const block = mem.allocate([arrays.length * channels]);
  const values = mem.values(block);
  arrays.forEach((a, i) => values.set(a, i * channels));
  const base = offsetOf(block);
  return { at: arrays.map((_, i) => base + 4 * i * channels), free: () => mem.free(block) };
}

/** Input x [..., C] float32; outputs mean [C] and variance [C] over every axis but the last. */
function batchMoments(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs;
  if (x === undefined || x.dtype !== 'float32' || x.shape.length < 1) throw new Error(`${BATCH_MOMENTS} needs a float32 input x`);
  const mem = hostMemory('wasm', args.backend);
  const { routines, offset: offsetOf } = simdOn(args.backend as SimdWasmBackend);
  const cols = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  const mean = mem.allocate([cols]);
  const variance = mem.allocate([cols]);
  routines.columnSums({ x: offsetOf(x), out: offsetOf(mean), rows, cols });
  const means = mem.values(mean);
  for (let c = 0; c < cols; c++) means[c] /= rows;
  routines.batchNormSquaredDeviations({ x: offsetOf(x), mean: offsetOf(mean), out: offsetOf(variance), rows, cols });
  const variances = mem.values(variance);
  for (let c = 0; c < cols; c++) variances[c] /= rows;
  return [mean, variance];
}

function fusedBatchNorm(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x, mean, variance, scale, offset } = args.inputs;
    if (x === undefined || mean === undefined || variance === undefined || !perChannel(x, [mean, variance, scale, offset])) {
      return stock(args as never) as tf.TensorInfo;
    }
    const epsilon = (args.attrs as unknown as BatchNormGradAttrs).varianceEpsilon;
    const mem = hostMemory('wasm', args.backend);
    const { routines, offset: offsetOf } = simdOn(args.backend as SimdWasmBackend);
    const cols = x.shape[x.shape.length - 1];
    const { slope } = channelConstants(mem, variance, scale, epsilon);
    const shift = offset === undefined ? new Float32Array(cols) : mem.values(offset).slice();
    const y = mem.allocate(x.shape);
    const constants = onHeap(mem, offsetOf, [slope, shift]);
    const [slopeAt, shiftAt] = constants.at;
    routines.batchNormApply({ x: offsetOf(x), mean: offsetOf(mean), slope: slopeAt, shift: shiftAt, out: offsetOf(y), rows: tf.util.sizeFromShape(x.shape) / cols, cols });
    constants.free();
    return y;
  };
}

/**
 * Inputs dy, x, mean, variance, scale (float32; the statistics [C]); outputs dx, dscale, doffset:
 *   x^ = (x - mean) / sqrt(var + eps),  doffset = sum dy,  dscale = sum dy x^,
 *   dx = scale / sqrt(var + eps) * (dy - doffset / n - x^ dscale / n)   (sums over the n rows of each channel).
 */
function batchNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const { dy, x, mean, variance, scale } = args.inputs;
  if (dy === undefined || x === undefined || mean === undefined || variance === undefined || scale === undefined) {
    throw new Error(`${BATCH_NORM_GRAD} needs inputs dy, x, mean, variance and scale`);
  }
  if (!perChannel(x, [mean, variance, scale]) || !tf.util.arraysEqual(dy.shape, x.shape) || dy.dtype !== 'float32') {
    throw new Error(`${BATCH_NORM_GRAD}: expected float32 dy and x of one shape and [channels] statistics, got dy [${dy.shape}], x [${x.shape}], mean [${mean.shape}]`);
  }
  const epsilon = (args.attrs as unknown as BatchNormGradAttrs).varianceEpsilon;
  const mem = hostMemory('wasm', args.backend);
  const { routines, offset: offsetOf } = simdOn(args.backend as SimdWasmBackend);
  const cols = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  const { inverseStd, slope } = channelConstants(mem, variance, scale, epsilon);
  const dScale = mem.allocate([cols]);
  const dOffset = mem.allocate([cols]);
  const dx = mem.allocate(x.shape);
  const perChannelIn = onHeap(mem, offsetOf, [inverseStd, slope]);
  const [inverseStdAt, slopeAt] = perChannelIn.at;
  const common = { dy: offsetOf(dy), x: offsetOf(x), mean: offsetOf(mean), inverseStd: inverseStdAt, rows, cols };
  routines.batchNormGradSums({ ...common, sumDy: offsetOf(dOffset), sumDyNormalised: offsetOf(dScale) });
  const means = onHeap(mem, offsetOf, [mem.values(dOffset).map((s) => s / rows), mem.values(dScale).map((s) => s / rows)]);
  const [meanDyAt, meanDyNormalisedAt] = means.at;
  // Offsets again: an allocation may grow (and move) the heap's views, never the offsets.
  routines.batchNormGradInput({ ...common, slope: slopeAt, meanDy: meanDyAt, meanDyNormalised: meanDyNormalisedAt, dx: offsetOf(dx) });
  perChannelIn.free();
  means.free();
  return [dx, dScale, dOffset];
}

export const BATCH_NORM_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: BATCH_MOMENTS, backendNames: ['wasm'], role: 'adds', make: () => asKernelFunc(batchMoments) },
  { kernelName: 'FusedBatchNorm', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && asKernelFunc(fusedBatchNorm(stock)) },
  { kernelName: BATCH_NORM_GRAD, backendNames: ['wasm'], role: 'adds', make: () => asKernelFunc(batchNormGrad) },
];

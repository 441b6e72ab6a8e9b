/**
 * Matrix products by the course's SIMD routine (simd/small-matmul-routine.ts) on the backend's threads, where it
 * beats XNNPACK: many small matrices (attention's per-head products) and products of few rows. The BatchMatMul
 * wrapper (fused-transpose-matmul.ts) asks `simdProductApplies`, then calls `simdProduct` with plain operands.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';

/**
 * True when the course's SIMD routine (simd/small-matmul-routine.ts) computes a . b faster than XNNPACK: float32
 * operands of one rank with the same batch dimensions, n (the output's columns) a multiple of 4, b small enough to
 * stay in cache, and either several matrices (XNNPACK sets up each matrix of a batch on its own) or few rows
 * (XNNPACK packs b on every call, which few rows do not repay). Measured with the benchmark process at high priority,
 * the routine on one thread (before it shared out work) vs XNNPACK on two: [256] 64x64 . 64x16 2.0 vs 17.6 ms, [8] 512x64 . 64x64 1.6 vs 16.7 ms,
 * [1] 64x256 . 256x256 0.49 vs 1.52 ms, [1] 256x64 . 64x128 0.22 vs 0.53 ms; but [1] 4096x64 . 64x64 1.9 vs 0.9 ms
 * and [1] 784x64 . 64x256 1.5 vs 0.8 ms, which stay with XNNPACK.
 */
export function simdProductApplies(a: tf.TensorInfo, b: tf.TensorInfo, attrs: { transposeA?: boolean; transposeB?: boolean }): boolean {
  const rank = a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || rank < 2 || b.shape.length !== rank) return false;
  if (!tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2))) return false;
  const m = a.shape[rank - (attrs.transposeA ? 1 : 2)];
  const k = a.shape[rank - (attrs.transposeA ? 2 : 1)];
  const n = b.shape[rank - (attrs.transposeB ? 2 : 1)];
  const batch = tf.util.sizeFromShape(a.shape.slice(0, -2));
  if (b.shape[rank - (attrs.transposeB ? 1 : 2)] !== k || n % 4 !== 0 || n === 0 || k === 0) return false;
  return k * n <= SIMD_MAX_RIGHT_OPERAND && (batch > 1 || m <= SIMD_MAX_ROWS_ALONE);
}

/**
 * The routine reads all of b for every row of a, so b must stay in cache: 64K floats (256 KB, within the L2 of
 * nearly any CPU). Larger right operands go to XNNPACK, which blocks for the cache (an LSTM's weight gradient
 * [x | h]^T dz with dz [2560, 256] took 25 ms by the routine, ~5 ms by XNNPACK).
 */
const SIMD_MAX_RIGHT_OPERAND = 65536;
/** A single product with more rows than this goes to XNNPACK (two threads repay its packing). */
const SIMD_MAX_ROWS_ALONE = 256;
/** Products smaller than this (multiply-adds x 2) run on one thread: waking a helper costs more. */
const MIN_FLOPS_TO_SPLIT = 1 << 20;

/** a . b of plain operands (as `simdProductApplies` accepted them, transposes made) by the SIMD routine. */
export function simdProduct(backend: SimdWasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const rank = a.shape.length;
  const batchShape = a.shape.slice(0, -2);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[rank - 1];
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  const batch = tf.util.sizeFromShape(batchShape);
  if (batch * m === 0) return out;
  const { parallel, threads, offset } = simdOn(backend);
  const [a0, b0, out0] = [offset(a), offset(b), offset(out)];
  // Split the matrices between the threads, or the rows of a single one; small products stay on one thread.
  const along = batch > 1 ? batch : m;
  const parts = 2 * batch * m * k * n < MIN_FLOPS_TO_SPLIT ? 1 : Math.min(threads, along);
  const lists = Array.from({ length: parts }, (_, t) => {
    const [first, end] = [Math.floor((along * t) / parts), Math.floor((along * (t + 1)) / parts)];
    const args =
      batch > 1
        ? { a: a0 + 4 * first * m * k, b: b0 + 4 * first * k * n, out: out0 + 4 * first * m * n, batch: end - first, m }
        : { a: a0 + 4 * first * k, b: b0, out: out0 + 4 * first * n, batch: 1, m: end - first };
    return [{ routine: 'smallMatMul', args: { ...args, k, n, aRowBytes: 4 * k } }];
  });
  parallel(lists);
  return out;
}

/**
 * Faster transposed matrix products on the wasm backend.
 *
 * The wasm `BatchMatMul` / `_FusedMatMul` kernels of TF.js 4.22 are ~15x slower when asked for `transposeA` or
 * `transposeB` than on plain operands (measured: [64,784]^T x [64,256] takes 12.8 ms, an explicit Transpose followed
 * by the plain product 1.0 ms). Every backward pass of a dense layer asks for exactly those products (dW = x^T dy,
 * dx = dy W^T), so training spends most of its time there. These wrappers materialise the transpose with the (fast)
 * wasm `Transpose` kernel and call the original kernel with plain operands: same numbers, a fraction of the time.
 */
import * as tf from '@tensorflow/tfjs';
import type { CourseKernelConfig } from './course-kernel';
import { SimdWasmBackend, simdOn } from './simd/simd-module';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The minimal part of the wasm backend these wrappers use. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * True when the course's SIMD routine (simd/small-matmul-routine.ts) computes a . b faster than XNNPACK: float32
 * operands of one rank with the same batch dimensions, n (the output's columns) a multiple of 4, b small enough to
 * stay in cache, and either several matrices (XNNPACK sets up each matrix of a batch on its own) or few rows
 * (XNNPACK packs b on every call, which few rows do not repay). Measured with the benchmark process at high priority,
 * routine on one thread vs XNNPACK on two: [256] 64x64 . 64x16 2.0 vs 17.6 ms, [8] 512x64 . 64x64 1.6 vs 16.7 ms,
 * [1] 64x256 . 256x256 0.49 vs 1.52 ms, [1] 256x64 . 64x128 0.22 vs 0.53 ms; but [1] 4096x64 . 64x64 1.9 vs 0.9 ms
 * and [1] 784x64 . 64x256 1.5 vs 0.8 ms, which stay with XNNPACK.
 */
function simdApplies(a: tf.TensorInfo, b: tf.TensorInfo, attrs: { transposeA?: boolean; transposeB?: boolean }): boolean {
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

/** a . b by the SIMD routine, transposed operands made plain first by the fast Transpose kernel. */
function simdProductOf(args: KernelArgs, a: tf.TensorInfo, b: tf.TensorInfo, attrs: { transposeA?: boolean; transposeB?: boolean }, backendName: string): tf.TensorInfo {
  const backend = args.backend as SimdWasmBackend & DisposingBackend & { makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo };
  const transpose = tf.getKernel(tf.Transpose, backendName)!.kernelFunc as unknown as KernelFn;
  const plain = (x: tf.TensorInfo, transposed: boolean | undefined): tf.TensorInfo => {
    if (!transposed) return x;
    const perm = [...x.shape.keys()];
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
  };
  const left = plain(a, attrs.transposeA);
  const right = plain(b, attrs.transposeB);
  const rank = left.shape.length;
  const batchShape = left.shape.slice(0, -2);
  const [m, k] = left.shape.slice(-2);
  const n = right.shape[rank - 1];
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  const batch = tf.util.sizeFromShape(batchShape);
  if (batch * m > 0) {
    const { parallel, threads, offset } = simdOn(backend);
    const [a0, b0, out0] = [offset(left), offset(right), offset(out)];
    // Split the matrices between the threads, or the rows of a single one; small products stay on one thread.
    const parts = 2 * batch * m * k * n < MIN_FLOPS_TO_SPLIT ? 1 : Math.min(threads, batch > 1 ? batch : m);
    const along = batch > 1 ? batch : m;
    const lists = Array.from({ length: parts }, (_, t) => {
      const [first, end] = [Math.floor((along * t) / parts), Math.floor((along * (t + 1)) / parts)];
      const args =
        batch > 1
          ? { a: a0 + 4 * first * m * k, b: b0 + 4 * first * k * n, out: out0 + 4 * first * m * n, batch: end - first, m }
          : { a: a0 + 4 * first * k, b: b0, out: out0 + 4 * first * n, batch: 1, m: end - first };
      return [{ routine: 'smallMatMul', args: { ...args, k, n, aRowBytes: 4 * k } }];
    });
    parallel(lists);
  }
  if (left !== a) backend.disposeData(left.dataId);
  if (right !== b) backend.disposeData(right.dataId);
  return out;
}

/**
 * `BatchMatMul` and `_FusedMatMul` on wasm, wrapped so they never run the slow transposed path (the wrapper calls the
 * stock kernel with plain operands).
 */
export const TRANSPOSE_FREE_MATMUL_KERNELS: readonly CourseKernelConfig[] = [tf.BatchMatMul, tf._FusedMatMul].map((kernelName) => ({
  kernelName,
  backendNames: ['wasm'],
  role: 'speeds' as const,
  make: (backendName: string, stock: tf.KernelFunc | undefined) =>
    stock && (transposeFreeKernel(stock as unknown as KernelFn, backendName, kernelName === tf.BatchMatMul) as unknown as tf.KernelFunc),
}));

/** Right operands of plain products seen before: XNNPACK keeps their packed copy (until the tensor is disposed). */
const packedBefore = new WeakSet<object>();

/**
 * `swappable` (BatchMatMul; _FusedMatMul has a bias to broadcast): a b may run as (b^T a^T)^T. XNNPACK packs the
 * right operand of a product into its own layout, at a cost per element several times a transpose's, and keeps the
 * packed copy only while that tensor lives. So when the right operand is the wider one and will be packed anyway (a
 * transposed operand, or a tensor never multiplied before, like weights just updated by the optimiser), the swapped
 * form packs the narrow one: [x | h]^T dz of an LSTM layer (dz [batch*time, 4*units]), x W of a dense layer in
 * training (W [784, 256], x [64, 784]).
 */
function transposeFreeKernel(original: KernelFn, backendName: string, swappable: boolean): KernelFn {
  const kernel = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul needs inputs a and b');
    const plainProduct = !attrs.transposeA && !attrs.transposeB;
    const rows = a.shape[a.shape.length - (attrs.transposeA ? 1 : 2)];
    const cols = b.shape[b.shape.length - (attrs.transposeB ? 2 : 1)];
    const singleMatrix = a.shape.length === 2 && b.shape.length === 2;
    if (swappable && simdApplies(a, b, attrs)) return simdProductOf(args, a, b, attrs, backendName);
    const swap = swappable && cols > rows && (plainProduct ? singleMatrix && !packedBefore.has(b.dataId) : true);
    if (plainProduct) packedBefore.add(b.dataId);
    if (plainProduct && !swap) return original(args);
    // Looked up per call: the fast Transpose kernel may be registered (or restored) after this wrapper.
    const transpose = tf.getKernel(tf.Transpose, backendName)!.kernelFunc as unknown as KernelFn;
    const backend = args.backend as DisposingBackend;
    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (x: tf.TensorInfo, temporary = true): tf.TensorInfo => {
      const rank = x.shape.length;
      const perm = [...Array(rank).keys()];
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      const out = transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      if (temporary) temporaries.push(out);
      return out;
    };
    const plain = { ...args.attrs, transposeA: false, transposeB: false };
    try {
      if (swap) {
        const left = attrs.transposeB ? b : swapLastTwo(b);
        const right = attrs.transposeA ? a : swapLastTwo(a);
        const swapped = original({ inputs: { ...args.inputs, a: left, b: right }, backend: args.backend, attrs: plain }) as tf.TensorInfo;
        temporaries.push(swapped);
        return swapLastTwo(swapped, false);
      }
      const left = attrs.transposeA ? swapLastTwo(a) : a;
      const right = attrs.transposeB ? swapLastTwo(b) : b;
      return original({ inputs: { ...args.inputs, a: left, b: right }, backend: args.backend, attrs: plain });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return kernel;
}

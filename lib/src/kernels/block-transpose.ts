/**
 * Transpose for wasm as SIMD 4x4 blocks, for the permutations that are a matrix transpose: leading axes kept, the
 * rest rotated ([a, b, c] -> [a, c, b]; NHWC -> NCHW is [0, 3, 1, 2]: [H*W, C] -> [C, H*W] per batch entry).
 *
 * Why: the stock kernel moves one element at a time with index arithmetic; transposing the [2560, 256] gate gradient
 * of an LSTM layer took 1.7 ms. Transposed matrix products (every dense and LSTM backward pass, see
 * fused-transpose-matmul.ts) go through here. Other permutations and 1- or 2-byte types go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';
import type { CourseKernelConfig } from './course-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * For `perm` = identity on the first `batchAxes` axes, then the remaining axes rotated: the batch axes count and the
 * matrix [rows, cols] each batch entry is transposed as; undefined for other permutations (and the identity).
 */
export function asMatrixTranspose(shape: number[], perm: number[]): { batch: number; rows: number; cols: number } | undefined {
  const rank = shape.length;
  let batchAxes = 0;
  while (batchAxes < rank && perm[batchAxes] === batchAxes) batchAxes++;
  if (batchAxes >= rank - 1) return undefined;
  // perm continues with [batchAxes + k, ..., rank - 1, batchAxes, ..., batchAxes + k - 1] for some k.
  const k = perm[batchAxes] - batchAxes;
  for (let i = batchAxes; i < rank; i++) {
    const want = i < rank - k ? i + k : i - (rank - k) + batchAxes;
    if (perm[i] !== want) return undefined;
  }
  const product = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return { batch: product(0, batchAxes), rows: product(batchAxes, batchAxes + k), cols: product(batchAxes + k, rank) };
}

export function blockTransposeKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x;
    const perm = ((args.attrs ?? {}) as { perm?: number[] }).perm;
    if (x === undefined || perm === undefined || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock(args as never);
    const matrix = asMatrixTranspose(x.shape, perm);
    if (matrix === undefined) return stock(args as never);
    const backend = args.backend as SimdWasmBackend;
    const out = backend.makeOutput(perm.map((axis) => x.shape[axis]), x.dtype as 'float32');
    const { batch, rows, cols } = matrix;
    const { routines, offset } = simdOn(backend);
    const [from, to, bytes] = [offset(x), offset(out), rows * cols * 4];
    for (let b = 0; b < batch; b++) routines.transpose({ x: from + b * bytes, out: to + b * bytes, rows, cols });
    return out;
  }) as unknown as tf.KernelFunc;
}

export const BLOCK_TRANSPOSE_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Transpose', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && blockTransposeKernel(stock) },
];

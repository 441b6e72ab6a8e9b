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
import { simdProduct, simdProductApplies } from './small-matmul';
import type { SimdWasmBackend } from './simd/simd-module';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The minimal part of the wasm backend these wrappers use. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
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
    const bySimd = swappable && simdProductApplies(a, b, attrs);
    const swap = swappable && cols > rows && (plainProduct ? singleMatrix && !packedBefore.has(b.dataId) : true);
    if (plainProduct) packedBefore.add(b.dataId);
    if (plainProduct && !swap && !bySimd) return original(args);
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
      if (bySimd) return simdProduct(args.backend as SimdWasmBackend, attrs.transposeA ? swapLastTwo(a) : a, attrs.transposeB ? swapLastTwo(b) : b);
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

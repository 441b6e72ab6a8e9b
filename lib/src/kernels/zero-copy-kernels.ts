/**
 * Identity, and Cast to the tensor's own type, for wasm without copying: the output shares the input's memory (a
 * reference count, as the stock Reshape and the cpu backend's Identity do).
 *
 * Why: TF.js clones tensors often (layers, gradients, the optimiser): ~25 Identity and ~7 same-type Cast kernels per
 * training step of a small MLP, and in a CNN clones of [64,26,26,16] activations, each a fresh allocation and a full
 * copy in the stock wasm kernels. No kernel writes into its inputs, so sharing is safe. Strings and real casts go to
 * the stock kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { CourseKernelConfig } from './course-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function sharedIdentityKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x;
    return x === undefined || x.dtype === 'string' ? stock(args as never) : share(x, args.backend);
  }) as unknown as tf.KernelFunc;
}

export function sharedCastKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x;
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
    return x === undefined || x.dtype !== dtype || x.dtype === 'string' ? stock(args as never) : share(x, args.backend);
  }) as unknown as tf.KernelFunc;
}

export const ZERO_COPY_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Identity', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && sharedIdentityKernel(stock) },
  { kernelName: 'Cast', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && sharedCastKernel(stock) },
];

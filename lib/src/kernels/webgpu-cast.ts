/**
 * Cast of int32 and bool tensors to float32 on webgpu, converting the values.
 *
 * Why: tfjs-backend-webgpu 4.22 casts them by relabelling the input's buffer as float32 (right for WebGL, which
 * stores every dtype as floats; wrong here, where the buffer keeps its i32 values). Programs that read inputs through
 * their typed getters convert on the fly and hide it, but programs that index the buffer directly do not: Transpose
 * (which every Sum over a leading axis runs first) then fails to compile, and a masked mean over a padding mask came
 * out Infinity. The conversion here is the backend's own Multiply by a float32 one (x * 1 is exact), whose program
 * reads x through a getter and writes a real float32 buffer.
 */
import * as tf from '@tensorflow/tfjs';
import type { CourseKernelConfig, KernelArgs } from './course-kernel';

interface WebGpuBackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

export function convertingCastKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x;
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
    if (x === undefined || dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return stock(args as never);
    const backend = args.backend as WebGpuBackendLike;
    const multiply = tf.getKernel(tf.Multiply, 'webgpu');
    if (multiply === undefined) return stock(args as never);
    const one = backend.makeTensorInfo([], 'float32', new Float32Array([1]));
    try {
      return multiply.kernelFunc({ inputs: { a: x, b: one }, backend: args.backend as tf.KernelBackend, attrs: {} }) as tf.TensorInfo;
    } finally {
      backend.disposeData(one.dataId);
    }
  }) as unknown as tf.KernelFunc;
}

export const WEBGPU_CAST_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Cast', backendNames: ['webgpu'], role: 'fixes', make: (_, stock) => stock && convertingCastKernel(stock) },
];

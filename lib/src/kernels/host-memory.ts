/**
 * Tensor memory seen from JS, for kernels written as loops: on wasm the backend's heap (no copies), on cpu its
 * typed arrays. The course's JS/SIMD kernels (LSTM recurrence, classifier loss) allocate and read through this.
 */
import * as tf from '@tensorflow/tfjs';

export interface HostMemory {
  /** A new float32 tensor; contents undefined (wasm: malloc), so kernels write every element. */
  allocate(shape: number[]): tf.TensorInfo;
  /** The float32 values of `info`, in place. A fresh view each time: any allocation may grow the wasm heap. */
  values(info: tf.TensorInfo): Float32Array;
  /** The values of a tensor of any numeric dtype (read only). */
  numbers(info: tf.TensorInfo): ArrayLike<number>;
  free(info: tf.TensorInfo): void;
}

/** The backends whose memory this reaches. */
export const HOST_MEMORY_BACKENDS = ['wasm', 'cpu'] as const;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  data: { get(dataId: object): { values: tf.backend_util.TypedArray } };
  disposeData(dataId: object, force?: boolean): boolean;
}

export function hostMemory(backendName: string, backend: unknown): HostMemory {
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackendLike;
    return {
      allocate: (shape) => wasm.makeOutput(shape, 'float32'),
      values: (info) => wasm.typedArrayFromHeap(info) as Float32Array,
      numbers: (info) => wasm.typedArrayFromHeap(info) as ArrayLike<number>,
      free: (info) => void wasm.disposeData(info.dataId),
    };
  }
  if (backendName === 'cpu') {
    const cpu = backend as CpuBackendLike;
    return {
      allocate: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
      values: (info) => cpu.data.get(info.dataId).values as Float32Array,
      numbers: (info) => cpu.data.get(info.dataId).values as ArrayLike<number>,
      free: (info) => void cpu.disposeData(info.dataId),
    };
  }
  throw new Error(`no host memory access for backend '${backendName}'`);
}

/** True when the current backend has the kernel (else callers use TF.js ops). */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

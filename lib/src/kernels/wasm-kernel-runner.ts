/**
 * Calls the wasm backend's own kernels (XNNPACK convolutions, BatchMatMul, Transpose, ...) from inside our kernels.
 *
 * Why: a kernelFunc must not call `tf.*` ops (they would go through the engine again, allocate engine tensors and
 * need tidy). Calling the registered wasm kernelFuncs directly on TensorInfos keeps all work in wasm memory and lets
 * us free each intermediate result as soon as the composite kernel is done.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;
export type TensorInfo = tf.TensorInfo;

/** Runs wasm kernels and remembers every intermediate result so that `dispose()` frees them all. */
export class WasmKernelRunner {
  private readonly intermediates: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  /** Run the wasm backend's kernel `kernelName`; the result is freed by `dispose()` unless passed to `keep()`. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
    const config = tf.getKernel(kernelName, 'wasm');
    if (config === undefined) {
      throw new Error(`Kernel '${kernelName}' is not registered for backend 'wasm' (needed by a course training kernel)`);
    }
    const result = config.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(result)) throw new Error(`Kernel '${kernelName}' returned several tensors; expected one`);
    this.intermediates.push(result);
    return result;
  }

  // Thin typed wrappers for the kernels the training kernels use.
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }
  sum(x: TensorInfo, axis: number[], keepDims = false): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims });
  }
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }
  pad(x: TensorInfo, paddings: [number, number][], constantValue = 0): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue });
  }

  /** A new float32 tensor (contents undefined) for the caller to fill, freed by `dispose()` unless kept. */
  output(shape: number[]): TensorInfo {
    const info = this.backend.makeOutput(shape, 'float32');
    this.intermediates.push(info);
    return info;
  }

  /** Exclude `info` from disposal: it becomes the caller's (normally: the kernel's output). */
  keep(info: TensorInfo): TensorInfo {
    const index = this.intermediates.lastIndexOf(info);
    if (index >= 0) this.intermediates.splice(index, 1);
    // An input handed back unchanged needs its own reference, or the engine would free it twice.
    else this.backend.incRef(info.dataId);
    return info;
  }

  /** Free every intermediate (each kernel output holds one reference to its data). */
  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/** Run `body` with a fresh runner; intermediates are freed even when it throws. */
export function withWasmKernels(backend: WasmBackend, body: (run: WasmKernelRunner) => TensorInfo): TensorInfo {
  const runner = new WasmKernelRunner(backend);
  try {
    return runner.keep(body(runner));
  } finally {
    runner.dispose();
  }
}

/** The named inputs of a kernel call, each checked to be present. */
export function requireInputs<K extends string>(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  names: readonly K[],
): Record<K, TensorInfo> {
  const found = {} as Record<K, TensorInfo>;
  for (const name of names) {
    const info = inputs[name];
    if (info === undefined || info === null) throw new Error(`${kernelName}: missing input '${name}'`);
    found[name] = info;
  }
  return found;
}

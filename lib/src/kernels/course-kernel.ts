/** The shape every course kernel file exports its kernels in (see registry.ts, which registers them all). */
import * as tf from '@tensorflow/tfjs';

/**
 * How a course kernel stands to the backend's own kernel of that name:
 * - `adds`: the backend lacks it (a training gradient, or a course kernel such as the LSTM recurrence); left alone
 *   where the backend already has one (a newer tfjs-backend-wasm);
 * - `fixes`: replaces a stock kernel that is wrong or unusable for training; always installed;
 * - `speeds`: replaces a correct but slow stock kernel (or adds a kernel that only saves time);
 *   `restoreStockKernels()` puts the stock one back (or removes it), so benchmarks can measure both.
 */
export type CourseKernelRole = 'adds' | 'fixes' | 'speeds';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export interface CourseKernelConfig {
  kernelName: string;
  backendNames: readonly string[];
  role: CourseKernelRole;
  /**
   * The kernel function for `backendName`. `stock` is the backend's kernel it replaces (`speeds`, `fixes`), for the
   * cases it hands back; undefined where there is none. Returns undefined when there is nothing to install (a
   * wrapper of a stock kernel the backend does not have).
   */
  make(backendName: string, stock: tf.KernelFunc | undefined): tf.KernelFunc | undefined;
}

/** A gradient the course replaces (all backends: TF.js registers gradients per op, not per backend). */
export interface CourseGradientConfig {
  kernelName: string;
  make(stock: tf.GradConfig): tf.GradConfig;
}

/** A kernel function written against the backend's own argument types, as TF.js's registry takes it. */
export function asKernelFunc(kernel: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelFunc;
export function asKernelFunc(kernel: unknown): tf.KernelFunc {
  return kernel as tf.KernelFunc;
}

/**
 * Sum and Mean over leading axes for wasm (bias and batch-norm gradients, batch-norm statistics in training: a
 * [batch*height*width, channels] reduction down the rows), as one SIMD sweep of the rows.
 *
 * Why: the stock wasm Sum and Mean reduce only innermost axes, so for leading ones they first transpose the whole
 * input; the bias gradient of a [64,26,26,16] convolution output took 0.8 ms that way, and the batch-norm mean of a
 * [64,32,32,32] activation 10 ms. Other reductions go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';
import type { CourseKernelConfig } from './course-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Below this many columns a row sweep gains nothing over the stock kernel. */
const MIN_COLUMNS = 4;

/** `mean`: divide the column sums by the number of rows (Mean); otherwise Sum. */
export function leadingAxesSumKernel(stock: tf.KernelFunc, mean = false): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x;
    const { axis, keepDims } = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    if (x === undefined || x.dtype !== 'float32' || axis === undefined) return stock(args as never);
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const cols = x.shape.slice(axes.length).reduce((a, b) => a * b, 1);
    if (!leading || cols < MIN_COLUMNS || rows === 0) return stock(args as never);
    const backend = args.backend as SimdWasmBackend;
    const outShape = keepDims ? x.shape.map((s, d) => (d < axes.length ? 1 : s)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, 'float32');
    const { routines, offset } = simdOn(backend);
    routines.columnSums({ x: offset(x), out: offset(out), rows, cols });
    if (mean) {
      const values = backend.typedArrayFromHeap(out);
      for (let c = 0; c < cols; c++) values[c] /= rows;
    }
    return out;
  }) as unknown as tf.KernelFunc;
}

export const LEADING_AXES_SUM_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Sum', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && leadingAxesSumKernel(stock) },
  { kernelName: 'Mean', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && leadingAxesSumKernel(stock, true) },
];

/**
 * Sum over leading axes for wasm (bias and batch-norm gradients: a [batch*height*width, channels] sum down the
 * rows), as one SIMD sweep of the rows.
 *
 * Why: the stock wasm Sum reduces only innermost axes, so for leading ones it first transposes the whole input;
 * the bias gradient of a [64,26,26,16] convolution output took 0.8 ms that way. Other reductions go to the stock
 * kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';
import type { CourseKernelConfig } from './course-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Below this many columns a row sweep gains nothing over the stock kernel. */
const MIN_COLUMNS = 4;

export function leadingAxesSumKernel(stock: tf.KernelFunc): tf.KernelFunc {
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
    return out;
  }) as unknown as tf.KernelFunc;
}

export const LEADING_AXES_SUM_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Sum', backendNames: ['wasm'], role: 'speeds', make: (_, stock) => stock && leadingAxesSumKernel(stock) },
];

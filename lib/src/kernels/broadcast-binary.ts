/**
 * Binary element-wise kernels on wasm where one operand is broadcast: one value (ReLU6's minimum(x, 6), a scale)
 * or one value per channel of the last axis (a bias, a normalisation's statistics), as one SIMD sweep
 * (simd/broadcast-routines.ts).
 *
 * Why: tfjs-backend-wasm runs same-shape operands through XNNPACK but broadcasts in a scalar loop that computes
 * every element's source index: Minimum of a [64,56,56,32] activation and the scalar 6 took 34 ms, 40% of a
 * MobileNet fine-tuning step. Other shapes and dtypes go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type CourseKernelConfig, type KernelArgs } from './course-kernel';
import { BroadcastOp, NON_COMMUTING, broadcastRoutineName } from './simd/broadcast-routines';
import { SimdWasmBackend, simdOn } from './simd/simd-module';

const OPS: [string, BroadcastOp][] = [
  [tf.Add, 'add'],
  [tf.Sub, 'sub'],
  [tf.Multiply, 'mul'],
  [tf.RealDiv, 'div'],
  [tf.Minimum, 'min'],
  [tf.Maximum, 'max'],
];

/** Below this many output elements the stock kernel's set-up costs less than ours matters. */
const MIN_ELEMENTS = 1024;

function broadcastKernel(op: BroadcastOp, stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args as never) as tf.TensorInfo;
    const [big, small, broadcastFirst] = tf.util.sizeFromShape(a.shape) >= tf.util.sizeFromShape(b.shape) ? [a, b, false] : [b, a, true];
    const size = tf.util.sizeFromShape(big.shape);
    const smallSize = tf.util.sizeFromShape(small.shape);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const cols = big.shape[big.shape.length - 1];
    const form = smallSize === 1 ? 'Scalar' : smallSize === cols && small.shape[small.shape.length - 1] === cols ? 'Row' : undefined;
    if (form === undefined || size < MIN_ELEMENTS || !tf.util.arraysEqual(outShape, big.shape)) return stock(args as never) as tf.TensorInfo;
    const backend = args.backend as SimdWasmBackend;
    const out = backend.makeOutput(outShape, 'float32');
    const { routines, offset } = simdOn(backend);
    const name = broadcastRoutineName(op, form, broadcastFirst && NON_COMMUTING.includes(op));
    const pointers = { x: offset(big), y: offset(small), out: offset(out) };
    routines.broadcast[name](form === 'Scalar' ? { ...pointers, n: size } : { ...pointers, rows: size / cols, cols });
    return out;
  };
}

export const BROADCAST_BINARY_KERNELS: readonly CourseKernelConfig[] = OPS.map(([kernelName, op]) => ({
  kernelName,
  backendNames: ['wasm'],
  role: 'speeds' as const,
  make: (_: string, stock: tf.KernelFunc | undefined) => stock && asKernelFunc(broadcastKernel(op, stock)),
}));

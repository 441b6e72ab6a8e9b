/**
 * ResizeBilinearGrad for wasm (the gradient of bilinear `upSampling2d` / `tf.image.resizeBilinear`), REPLACING the
 * backend's own kernel.
 *
 * Why: tfjs-backend-wasm 4.22's version is wrong with `halfPixelCenters: true` (measured: <dy, resize(x)> and
 * <dx, x> differ by 25-125%, where a linear map's gradient must make them equal). This is the exact adjoint of
 * TF.js's forward bilinear resize: every output pixel spreads its dy over the four input pixels it interpolated,
 * with the same weights. One memory-bound pass over dy on the wasm heap, no copies. (The cpu backend's kernel is
 * worse: wrong shape for non-square images, and it ignores halfPixelCenters; so the tests check against the math.)
 */
import * as tf from '@tensorflow/tfjs';
import { TensorInfo, WasmBackend, requireInputs } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

interface InterpolationAxis {
  low: Int32Array;
  high: Int32Array;
  fraction: Float64Array;
}

export function resizeBilinearGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { images, dy } = requireInputs('ResizeBilinearGrad', args.inputs, ['images', 'dy']);
  const backend = args.backend as WasmBackend;
  const alignCorners = Boolean(args.attrs?.alignCorners);
  const halfPixelCenters = Boolean(args.attrs?.halfPixelCenters);
  if (images.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`ResizeBilinearGrad: images and dy must be 4-D, got [${images.shape}] and [${dy.shape}]`);
  }
  const [batch, inHeight, inWidth, channels] = images.shape;
  const [, outHeight, outWidth] = dy.shape;
  const rows = interpolationAxis(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = interpolationAxis(inWidth, outWidth, alignCorners, halfPixelCenters);
  const dx = backend.makeOutput(images.shape, 'float32');
  const dxValues = backend.typedArrayFromHeap(dx);
  const dyValues = backend.typedArrayFromHeap(dy);
  dxValues.fill(0);
  let dyIndex = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const top = (b * inHeight + rows.low[r]) * inWidth;
      const bottom = (b * inHeight + rows.high[r]) * inWidth;
      const rowFraction = rows.fraction[r];
      for (let c = 0; c < outWidth; c++) {
        const colFraction = cols.fraction[c];
        const topLeft = (top + cols.low[c]) * channels;
        const topRight = (top + cols.high[c]) * channels;
        const bottomLeft = (bottom + cols.low[c]) * channels;
        const bottomRight = (bottom + cols.high[c]) * channels;
        const wTop = 1 - rowFraction;
        for (let d = 0; d < channels; d++) {
          const g = dyValues[dyIndex++];
          const gTop = g * wTop;
          const gBottom = g * rowFraction;
          dxValues[topLeft + d] += gTop * (1 - colFraction);
          dxValues[topRight + d] += gTop * colFraction;
          dxValues[bottomLeft + d] += gBottom * (1 - colFraction);
          dxValues[bottomRight + d] += gBottom * colFraction;
        }
      }
    }
  }
  return dx;
}

/** Source indices and weight along one axis, exactly as TF.js's forward ResizeBilinear computes them. */
function interpolationAxis(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): InterpolationAxis {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const axis: InterpolationAxis = { low: new Int32Array(outSize), high: new Int32Array(outSize), fraction: new Float64Array(outSize) };
  for (let i = 0; i < outSize; i++) {
    const source = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
    const low = Math.max(0, Math.floor(source));
    axis.low[i] = low;
    axis.high[i] = Math.min(inSize - 1, Math.ceil(source));
    axis.fraction[i] = source - low;
  }
  return axis;
}

/** tfjs-backend-wasm 4.22 has ResizeBilinearGrad but gets it wrong (or slow) for training. */
export const RESIZE_BILINEAR_GRAD_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'ResizeBilinearGrad', backendNames: ['wasm'], role: 'fixes', make: () => resizeBilinearGradWasm as unknown as tf.KernelFunc },
];

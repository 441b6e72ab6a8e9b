/**
 * Einsum for wasm (`tf.einsum`, e.g. attention scores written as 'bqd,bkd->bqk').
 *
 * Why: tfjs-backend-wasm 4.22 lacks it. Follows TF.js's own contraction plan (backend_util's einsum helpers):
 * operands are transposed/expanded onto a common axis order, multiplied with broadcasting and the contracted axes
 * summed one at a time, all with wasm kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { TensorInfo, WasmBackend, requireInputs, withWasmKernels } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

export function einsumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): TensorInfo {
  const equation = String(args.attrs?.equation ?? '');
  // The engine passes the operands as an array-like map: '0', '1', ...
  const keys = Object.keys(args.inputs).sort((a, b) => Number(a) - Number(b));
  const named = requireInputs('Einsum', args.inputs, keys);
  const operands = keys.map((key) => named[key]);
  const util = tf.backend_util;
  const { allDims, summedDims, idDims } = util.decodeEinsumEquation(equation, operands.length);
  util.checkEinsumDimSizes(allDims.length, idDims, operands as unknown as tf.Tensor[]);
  const { path, steps } = util.getEinsumComputePath(summedDims, idDims);
  return withWasmKernels(args.backend as WasmBackend, (run) => {
    let product: TensorInfo | undefined;
    let remainingDims = allDims.length;
    steps.forEach((operandIds, step) => {
      for (const id of operandIds) {
        const { permutationIndices, expandDims } = util.getEinsumPermutation(remainingDims, idDims[id]);
        let operand = operands[id];
        if (!util.isIdentityPermutation(permutationIndices)) operand = run.transpose(operand, permutationIndices);
        const expanded = operand.shape.slice();
        for (const axis of expandDims) expanded.splice(axis, 0, 1);
        if (expanded.length !== operand.shape.length) operand = run.reshape(operand, expanded);
        product = product === undefined ? operand : run.run('Multiply', { a: operand, b: product });
      }
      if (step < steps.length - 1) {
        if (path[step] >= 0 && product !== undefined) {
          product = run.sum(product, [path[step] - (allDims.length - remainingDims)]);
        }
        remainingDims--;
      }
    });
    if (product === undefined) throw new Error(`Einsum: equation '${equation}' has no operands`);
    return product;
  });
}

export const EINSUM_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'Einsum', backendNames: ['wasm'], role: 'adds', make: () => einsumWasm as unknown as tf.KernelFunc },
];

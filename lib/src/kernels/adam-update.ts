/**
 * `CourseAdamUpdate`: one Adam step for one variable as a single wasm kernel (used by the train module's
 * `CourseAdamOptimizer`). Inputs: variable, m, v, gradient (float32, same size); outputs: the new variable, m and v
 * as new tensors.
 *
 * Why new tensors rather than writing in place: the wasm backend caches XNNPACK operators (with their packed weights)
 * by tensor id, so a weight changed in place would keep being multiplied by its old packed copy.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdWasmBackend, simdOn } from './simd/simd-module';
import { requireInputs } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

export const ADAM_UPDATE = 'CourseAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The step number t, from 1 (bias corrections 1 - beta^t). */
  step: number;
}

export function adamUpdateWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { variable, m, v, gradient } = requireInputs(ADAM_UPDATE, args.inputs, ['variable', 'm', 'v', 'gradient']);
  const attrs = args.attrs as unknown as AdamUpdateAttrs;
  const size = tf.util.sizeFromShape(variable.shape);
  for (const [name, info] of Object.entries({ variable, m, v, gradient })) {
    if (info.dtype !== 'float32') throw new Error(`${ADAM_UPDATE}: ${name} must be float32, got ${info.dtype}`);
    if (tf.util.sizeFromShape(info.shape) !== size) {
      throw new Error(`${ADAM_UPDATE}: ${name} has shape [${info.shape}], the variable [${variable.shape}]`);
    }
  }
  if (!(attrs.step >= 1)) throw new Error(`${ADAM_UPDATE}: step must be >= 1, got ${attrs.step}`);
  const backend = args.backend as SimdWasmBackend;
  const outputs = [variable, m, v].map((info) => backend.makeOutput(info.shape, 'float32'));
  const { routines, offset } = simdOn(backend);
  // As TF.js's Adam: constants in float32, bias corrections 1 - beta^t.
  const f = Math.fround;
  routines.adam({
    p: offset(variable), m: offset(m), v: offset(v), g: offset(gradient),
    outP: offset(outputs[0]), outM: offset(outputs[1]), outV: offset(outputs[2]), n: size,
    b1: f(attrs.beta1), oneMinusB1: f(1 - attrs.beta1), b2: f(attrs.beta2), oneMinusB2: f(1 - attrs.beta2),
    c1: f(1 - f(attrs.beta1 ** attrs.step)), c2: f(1 - f(attrs.beta2 ** attrs.step)), eps: f(attrs.epsilon), negLr: f(-attrs.learningRate),
  });
  return outputs;
}

/** Speed only: without it the course's Adam runs TF.js's ops. */
export const ADAM_UPDATE_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: ADAM_UPDATE, backendNames: ['wasm'], role: 'speeds', make: () => adamUpdateWasm as unknown as tf.KernelFunc },
];

/**
 * What the whole-sequence LSTM and GRU kernels (lstm-kernels.ts, gru-kernels.ts) share: the backend's memory with
 * its own matrix product, and the gate activations in scalar form. The recurrences themselves differ and stay in
 * their own files.
 */
import * as tf from '@tensorflow/tfjs';
import { HostMemory, hostMemory } from './host-memory';

/** The gate activations the fused recurrent kernels run. */
export type RecurrentGateActivation = 'sigmoid' | 'hardSigmoid';

/** What the kernels need from a backend: its memory, and its matrix product. */
export interface SequenceMemory extends HostMemory {
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo;
}

/** The backend's memory, with its registered BatchMatMul kernel called directly (no engine op per product). */
export function memoryFor(backendName: string, backend: unknown): SequenceMemory {
  const matMulKernel = tf.getKernel(tf.BatchMatMul, backendName);
  if (matMulKernel === undefined) throw new Error(`BatchMatMul is not registered for backend '${backendName}'`);
  const matMul = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    matMulKernel.kernelFunc({
      inputs: { a, b },
      backend: backend as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  return { ...hostMemory(backendName, backend), matMul };
}

/**
 * A kernel's named input, checked to be float32 with the given shape (null: any size on that axis); `cell` names the
 * kernel in the message for a missing input ('LSTM', 'GRU').
 */
export function floatInput(cell: string, inputs: tf.NamedTensorInfoMap, name: string, shape: (number | null)[]): tf.TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`${cell} kernel input '${name}' is missing`);
  if (info.dtype !== 'float32') throw new Error(`${name} must be float32, got ${info.dtype}`);
  const fits = info.shape.length === shape.length && shape.every((n, i) => n === null || info.shape[i] === n);
  if (!fits) throw new Error(`${name} must have shape [${shape.map((n) => n ?? '*')}], got [${info.shape}]`);
  return info;
}

/** The kernels' `recurrentActivation` attribute; hardSigmoid when absent, as tf.layers.lstm/gru. */
export function gateActivationAttr(attrs: tf.NamedAttrMap | undefined): RecurrentGateActivation {
  return ((attrs ?? {}).recurrentActivation as RecurrentGateActivation) ?? 'hardSigmoid';
}

/** The gate activation on one value: 'sigmoid', or anything else as hardSigmoid (clip(0.2 v + 0.5, 0, 1)). */
export function scalarGate(activation: RecurrentGateActivation): (v: number) => number {
  return activation === 'sigmoid' ? (v) => 1 / (1 + Math.exp(-v)) : (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5));
}

/** The gate's derivative from its value y (hardSigmoid: 0.2 inside the linear part, 0 where clipped). */
export function scalarGateSlope(activation: RecurrentGateActivation): (y: number) => number {
  return activation === 'sigmoid' ? (y) => y * (1 - y) : (y) => (y > 0 && y < 1 ? 0.2 : 0);
}

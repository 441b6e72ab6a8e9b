/** The output layer every classifier builder ends with, so binary and multi-class heads are built one way. */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';

/** Activations the builders accept for hidden layers. */
export type HiddenActivation = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'softplus' | 'linear';

/** `'auto'`: sigmoid for one output (binary), softmax for several (one-hot classes). `'linear'`: logits/regression. */
export type OutputActivation = 'auto' | 'sigmoid' | 'softmax' | 'linear';

/** Resolve `'auto'` against the number of outputs. */
export function resolveOutputActivation(outputs: number, activation: OutputActivation = 'auto'): Exclude<OutputActivation, 'auto'> {
  if (activation !== 'auto') return activation;
  return outputs === 1 ? 'sigmoid' : 'softmax';
}

/** A dense output layer with a seeded initialiser. */
export function classifierOutputLayer(
  outputs: number,
  seeds: InitializerSeeds,
  options: { activation?: OutputActivation; name?: string; l2?: number } = {},
): tf.layers.Layer {
  assertPositiveInteger('outputs', outputs);
  return tf.layers.dense({
    units: outputs,
    activation: resolveOutputActivation(outputs, options.activation),
    kernelInitializer: seeds.glorotUniform(),
    kernelRegularizer: options.l2 ? tf.regularizers.l2({ l2: options.l2 }) : undefined,
    name: options.name ?? 'output',
  });
}

/** Throw a clear error unless `value` is a positive integer. */
export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Throw a clear error unless `rate` is a usable dropout rate. */
export function assertDropoutRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`${name} must be in [0, 1), got ${rate}`);
}

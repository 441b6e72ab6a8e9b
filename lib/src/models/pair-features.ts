/** The sentence-pair features of InferSent-style classifiers: [u, v, |u - v|, u * v]. */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs } from './sequence-mask';

/** concat(u, v, |u - v|, u * v) along the last axis, for two tensors of the same shape. */
export function pairFeatureTensor(u: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.concat([u, v, tf.abs(tf.sub(u, v)), tf.mul(u, v)], -1));
}

/** Takes `[u, v]`, both `[batch, d]`, and outputs `[batch, 4d]` = concat(u, v, |u - v|, u * v). */
export class PairFeatures extends tf.layers.Layer {
  static className = 'PairFeatures';

  constructor(args: BaseLayerArgs = {}) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('PairFeatures expects two inputs [u, v]');
    return pairFeatureTensor(inputs[0], inputs[1]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) throw new Error('PairFeatures expects two inputs [u, v]');
    const [u, v] = inputShape as tf.Shape[];
    const d = u[u.length - 1];
    if (d !== v[v.length - 1]) throw new Error(`PairFeatures inputs differ in size: ${d} vs ${v[v.length - 1]}`);
    return [...u.slice(0, -1), d == null ? null : 4 * d];
  }
}
tf.serialization.registerClass(PairFeatures);

/** Apply {@link PairFeatures} to two symbolic encodings. */
export function pairFeatures(u: tf.SymbolicTensor, v: tf.SymbolicTensor, name = 'pair_features'): tf.SymbolicTensor {
  return new PairFeatures({ name }).apply([u, v]) as tf.SymbolicTensor;
}

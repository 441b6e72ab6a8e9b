/**
 * Masks for padded sequences. A custom layer gets its mask either from TF.js mask propagation (an `Embedding` with
 * `maskZero`, through RNN layers, arrives as `kwargs.mask`) or as an explicit second input `[x, mask]`
 * (the Transformer path, where dense layers would reject a propagated mask). Both end up as a float 0/1 tensor.
 */
import * as tf from '@tensorflow/tfjs';

/** Split a layer's inputs into the sequence and its mask (float32 `[batch, time]`, 1 = real token), if any. */
export function sequenceAndMask(
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: { mask?: tf.Tensor | tf.Tensor[] | null },
): { x: tf.Tensor; mask: tf.Tensor | null } {
  if (Array.isArray(inputs)) {
    if (inputs.length === 2) return { x: inputs[0], mask: tf.cast(inputs[1], 'float32') };
    if (inputs.length !== 1) throw new Error(`expected [sequence] or [sequence, mask], got ${inputs.length} inputs`);
    inputs = inputs[0];
  }
  const propagated = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
  return { x: inputs, mask: propagated == null ? null : tf.cast(propagated, 'float32') };
}

/** The shape of the sequence input, whether or not a mask input comes with it. */
export function sequenceShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape) : (inputShape as tf.Shape);
}

/** A large negative number added to masked scores before softmax (finite, so gradients stay finite). */
export const MASKED_SCORE = -1e9;

/**
 * Softmax over the last axis of `scores`, ignoring positions where `mask` is 0.
 * `mask` must broadcast against `scores` (e.g. `[batch, 1, time]` for `[batch, queries, time]`).
 */
export function maskedSoftmax(scores: tf.Tensor, mask: tf.Tensor | null): tf.Tensor {
  if (mask === null) return tf.softmax(scores);
  return tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), MASKED_SCORE)));
}

/**
 * A layer that turns token ids into a padding mask (1 for real tokens, 0 for `padId`), so the Transformer can pass
 * the mask explicitly to the layers that need it.
 */
export class PaddingMask extends tf.layers.Layer {
  static className = 'PaddingMask';
  readonly padId: number;

  constructor(args: BaseLayerArgs & { padId?: number } = {}) {
    const { padId, ...base } = args;
    super(base);
    this.padId = padId ?? 0;
    this.trainable = false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.cast(tf.notEqual(ids, this.padId), 'float32'));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return sequenceShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padId: this.padId };
  }
}
tf.serialization.registerClass(PaddingMask);

/** The base-layer arguments (name, trainable, dtype, input shape) every custom layer passes on to `tf.layers.Layer`. */
export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/**
 * Pads token ids `[batch, time]` with the padding id 0 up to a minimum number of steps. TF.js cannot train a
 * recurrent layer over a single step (its backward pass fails with "Argument tensors passed to stack must be a
 * `Tensor[]`"); a batch of one-token sentences (variable-length or length-bucketed input) has exactly that. The
 * added steps are padding, so the embedding's mask hides them and the encoding is the same.
 */
import * as tf from '@tensorflow/tfjs';

export interface MinimumLengthArgs {
  /** Fewest steps the output has (default 2). */
  minimum?: number;
  name?: string;
}

export class MinimumLength extends tf.layers.Layer {
  static className = 'MinimumLength';
  readonly minimum: number;

  constructor(args: MinimumLengthArgs = {}) {
    super({ name: args.name });
    this.minimum = args.minimum ?? 2;
    if (!(Number.isInteger(this.minimum) && this.minimum >= 1)) throw new Error(`minimum must be a whole number >= 1, got ${this.minimum}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const time = shape[1];
    return [shape[0], time == null ? null : Math.max(time, this.minimum), ...shape.slice(2)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const ids = Array.isArray(inputs) ? inputs[0]! : inputs;
    const missing = this.minimum - ids.shape[1]!;
    if (missing <= 0) return ids;
    return tf.tidy(() => tf.pad(ids, [[0, 0], [0, missing]]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), minimum: this.minimum };
  }
}
tf.serialization.registerClass(MinimumLength);

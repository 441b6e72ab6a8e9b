/** Sinusoidal positional encoding (Vaswani et al., 2017): adds position information to token embeddings. */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs, sequenceShape } from './sequence-mask';

/**
 * The encoding table `[length, dim]`: PE[p, 2i] = sin(p / 10000^(2i/dim)), PE[p, 2i+1] = cos(same angle).
 * Returned as plain numbers so it can be plotted or checked without tensors.
 */
export function sinusoidalPositionTable(length: number, dim: number): Float32Array {
  const table = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim; i++) {
      const angle = p / Math.pow(10000, (2 * Math.floor(i / 2)) / dim);
      table[p * dim + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}

export interface SinusoidalPositionalEncodingArgs extends BaseLayerArgs {
  /** Multiply the input by sqrt(dim) first, as the original Transformer does with its embeddings (default true). */
  scaleInput?: boolean;
}

/** Adds the sinusoidal table to `[batch, time, dim]` inputs; has no weights; passes any mask through. */
export class SinusoidalPositionalEncoding extends tf.layers.Layer {
  static className = 'SinusoidalPositionalEncoding';
  readonly scaleInput: boolean;

  constructor(args: SinusoidalPositionalEncodingArgs = {}) {
    const { scaleInput, ...base } = args;
    super(base);
    this.scaleInput = scaleInput ?? true;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [, time, dim] = x.shape;
    return tf.tidy(() => {
      // Built per call (it is cheap) so the layer holds no tensor that could outlive the model.
      const table = tf.tensor2d(sinusoidalPositionTable(time, dim), [time, dim]);
      const scaled = this.scaleInput ? tf.mul(x, Math.sqrt(dim)) : x;
      return tf.add(scaled, table);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return sequenceShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scaleInput: this.scaleInput };
  }
}
tf.serialization.registerClass(SinusoidalPositionalEncoding);

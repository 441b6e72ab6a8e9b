/** Mean or max over time that skips padded steps (TF.js's global pooling layers ignore masks). */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs, MASKED_SCORE, sequenceAndMask, sequenceShape } from './sequence-mask';

export type SequencePoolingMode = 'mean' | 'max';

export interface MaskedSequencePoolingArgs extends BaseLayerArgs {
  /** `'mean'` (default) or `'max'` over the unmasked time steps. */
  mode?: SequencePoolingMode;
}

/** Pools `[batch, time, features]` to `[batch, features]`, over unmasked steps only (mask propagated or as input 2). */
export class MaskedSequencePooling extends tf.layers.Layer {
  static className = 'MaskedSequencePooling';
  readonly mode: SequencePoolingMode;

  constructor(args: MaskedSequencePoolingArgs = {}) {
    const { mode, ...base } = args;
    super(base);
    this.mode = mode ?? 'mean';
    if (this.mode !== 'mean' && this.mode !== 'max') throw new Error(`unknown pooling mode '${this.mode}'`);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const { x, mask } = sequenceAndMask(inputs, kwargs as { mask?: tf.Tensor });
      if (mask === null) return this.mode === 'mean' ? tf.mean(x, 1) : tf.max(x, 1);
      const m = tf.expandDims(mask, 2);
      if (this.mode === 'max') return tf.max(tf.add(x, tf.mul(tf.sub(1, m), MASKED_SCORE)), 1);
      // Guard against an all-padding row: divide by at least 1.
      return tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1));
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, , features] = sequenceShape(inputShape);
    return [batch, features];
  }

  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(MaskedSequencePooling);

/**
 * Attention pooling: a learned weighted average over time steps. Each step gets a score, the scores are
 * soft-maxed over the unmasked steps, and the output is the weighted sum of the steps. The weights can be returned
 * as a second output so a notebook can plot which words the model looked at.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs, maskedSoftmax, sequenceAndMask, sequenceShape } from './sequence-mask';

/** `additive`: score = v . tanh(W h + b) (Bahdanau). `dot`: score = q . h / sqrt(d) with a learned query q. */
export type AttentionScore = 'additive' | 'dot';

export interface AttentionPoolingArgs extends BaseLayerArgs {
  /** How each time step is scored (default `'additive'`). */
  score?: AttentionScore;
  /** Hidden size of the additive scorer (default 64; unused by `dot`). */
  units?: number;
  /** Also output the attention weights `[batch, time]` (default false). */
  returnAttentionWeights?: boolean;
  /** Seed of the weight initialisers. */
  seed?: number | null;
}

/**
 * Pools `[batch, time, features]` to `[batch, features]`. Takes the mask from TF.js mask propagation or as a second
 * input (`[sequence, mask]`); masked steps get weight 0 and the weights of each row sum to 1.
 */
export class AttentionPooling extends tf.layers.Layer {
  static className = 'AttentionPooling';
  readonly score: AttentionScore;
  readonly units: number;
  readonly returnAttentionWeights: boolean;
  readonly seed: number | undefined;
  private projection?: tf.LayerVariable;
  private projectionBias?: tf.LayerVariable;
  private scoreVector?: tf.LayerVariable;

  constructor(args: AttentionPoolingArgs = {}) {
    const { score, units, returnAttentionWeights, seed, ...base } = args;
    super(base);
    this.score = score ?? 'additive';
    if (this.score !== 'additive' && this.score !== 'dot') throw new Error(`unknown attention score '${this.score}'`);
    this.units = units ?? 64;
    this.returnAttentionWeights = returnAttentionWeights ?? false;
    this.seed = seed ?? undefined;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const features = sequenceShape(inputShape)[2];
    if (features == null) throw new Error('AttentionPooling needs a known feature size');
    const seed = this.seed;
    const glorot = (offset: number) => tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + offset });
    if (this.score === 'additive') {
      this.projection = this.addWeight('projection', [features, this.units], 'float32', glorot(0));
      this.projectionBias = this.addWeight('projection_bias', [this.units], 'float32', tf.initializers.zeros());
      this.scoreVector = this.addWeight('score_vector', [this.units, 1], 'float32', glorot(1));
    } else {
      this.scoreVector = this.addWeight('query', [features, 1], 'float32', glorot(1));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const { x, mask } = sequenceAndMask(inputs, kwargs as { mask?: tf.Tensor });
      const [batch, time, features] = x.shape;
      const flat = tf.reshape(x, [-1, features]);
      let scores: tf.Tensor;
      if (this.score === 'additive') {
        const hidden = tf.tanh(tf.add(tf.matMul(flat, this.projection!.read()), this.projectionBias!.read()));
        scores = tf.matMul(hidden, this.scoreVector!.read());
      } else {
        scores = tf.div(tf.matMul(flat, this.scoreVector!.read()), Math.sqrt(features));
      }
      const weights = maskedSoftmax(tf.reshape(scores, [batch, time]), mask);
      const pooled = tf.sum(tf.mul(x, tf.expandDims(weights, 2)), 1);
      return this.returnAttentionWeights ? [pooled, weights] : pooled;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const [batch, time, features] = sequenceShape(inputShape);
    return this.returnAttentionWeights ? [[batch, features], [batch, time]] : [batch, features];
  }

  /** The pooled output has no time axis, so no mask goes further. */
  override computeMask(): tf.Tensor | tf.Tensor[] {
    return (this.returnAttentionWeights ? [null, null] : null) as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      score: this.score,
      units: this.units,
      returnAttentionWeights: this.returnAttentionWeights,
      seed: this.seed ?? null,
    };
  }
}
tf.serialization.registerClass(AttentionPooling);

/**
 * A model from `model`'s inputs to the attention weights (second output) of its first layer of class `layerClass`
 * built with `returnAttentionWeights`, sharing `model`'s layers, so it shows the current (trained) weights.
 */
export function attentionWeightsModel(
  model: tf.LayersModel,
  layerClass: abstract new (...args: never[]) => tf.layers.Layer & { returnAttentionWeights: boolean },
  name: string,
): tf.LayersModel {
  const layer = model.layers.find((l) => l instanceof layerClass && (l as InstanceType<typeof layerClass>).returnAttentionWeights);
  if (layer === undefined) throw new Error(`${model.name} has no ${layerClass.name} layer that returns its weights`);
  const outputs = layer.getOutputAt(0) as tf.SymbolicTensor[];
  return tf.model({ inputs: model.inputs, outputs: outputs[1], name });
}

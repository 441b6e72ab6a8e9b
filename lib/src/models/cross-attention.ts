/**
 * Cross-attention between two sentences (lesson 03's custom attention): every word of sentence A looks over the
 * words of sentence B, softly aligns itself with the ones that match, and is compared with what it found. A
 * paraphrase pair finds a good match for most words; a non-paraphrase leaves some words without one.
 *
 *   scores[i, j] = a_i M b_j               (M starts as the identity: plain dot-product attention)
 *   weights[i, :] = softmax over B's real words (padding gets weight 0)
 *   aligned_i     = sum_j weights[i, j] b_j
 *   output_i      = [a_i, aligned_i, a_i - aligned_i, a_i * aligned_i]   (the comparison, 4d features)
 */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs, PaddingMask, maskedSoftmax } from './sequence-mask';
import { assertDropoutRate } from './classifier-output';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { MaskedSequencePooling } from './masked-pooling';
import { attentionWeightsModel } from './attention-pooling';
import { pairFeatures } from './pair-features';
import { paraphraseHead, sentencePairInputs } from './siamese';

export interface CrossAttentionArgs extends BaseLayerArgs {
  /** Also output the attention weights `[batch, timeA, timeB]` (default false). */
  returnAttentionWeights?: boolean;
}

/**
 * Takes `[a, b, maskA, maskB]` (`[batch, timeA, d]`, `[batch, timeB, d]` and their float 0/1 padding masks, e.g.
 * from {@link PaddingMask}) and outputs the comparison `[batch, timeA, 4d]` (pool it with `maskA`). Without the
 * masks (`[a, b]`) every step of B counts. The masks come as inputs because TF.js hands a layer only its first
 * input's propagated mask, and none from a model nested as a layer (such as a shared sentence encoder).
 */
export class CrossAttention extends tf.layers.Layer {
  static className = 'CrossAttention';
  readonly returnAttentionWeights: boolean;
  private bilinear?: tf.LayerVariable;

  constructor(args: CrossAttentionArgs = {}) {
    const { returnAttentionWeights, ...base } = args;
    super(base);
    this.returnAttentionWeights = returnAttentionWeights ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [a, b] = pairShapes(inputShape);
    const d = a[2];
    if (d == null || d !== b[2]) throw new Error(`CrossAttention needs two sequences of the same known width, got ${a[2]} and ${b[2]}`);
    this.bilinear = this.addWeight('bilinear', [d, d], 'float32', tf.initializers.identity({ gain: 1 }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const { a, b, maskB } = splitInputs(inputs);
      const d = a.shape[2]!;
      const projected = tf.reshape(tf.matMul(tf.reshape(a, [-1, d]), this.bilinear!.read()), a.shape);
      // not divided by sqrt(d): the states of a (bi)LSTM lie in (-1, 1), and scaled scores left the weights almost
      // uniform (measured on MRPC: every weight near 1/length after training)
      const scores = tf.matMul(projected, b, false, true);
      const weights = maskedSoftmax(scores, maskB === null ? null : tf.expandDims(maskB, 1));
      const aligned = tf.matMul(weights, b);
      const comparison = tf.concat([a, aligned, tf.sub(a, aligned), tf.mul(a, aligned)], 2);
      return this.returnAttentionWeights ? [comparison, weights] : comparison;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const [a, b] = pairShapes(inputShape);
    const comparison = [a[0], a[1], a[2] == null ? null : 4 * a[2]];
    return this.returnAttentionWeights ? [comparison, [a[0], a[1], b[1]]] : comparison;
  }

  /** No mask goes further: the layers after it take A's mask as an input, as this one does. */
  override computeMask(): tf.Tensor | tf.Tensor[] {
    return (this.returnAttentionWeights ? [null, null] : null) as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), returnAttentionWeights: this.returnAttentionWeights };
  }
}
tf.serialization.registerClass(CrossAttention);

function pairShapes(inputShape: tf.Shape | tf.Shape[]): [tf.Shape, tf.Shape] {
  if (!Array.isArray(inputShape[0]) || (inputShape.length !== 2 && inputShape.length !== 4)) {
    throw new Error('CrossAttention expects [a, b] or [a, b, maskA, maskB]');
  }
  const [a, b] = inputShape as tf.Shape[];
  if (a.length !== 3 || b.length !== 3) throw new Error('CrossAttention expects two sequences [batch, time, features]');
  return [a, b];
}

function splitInputs(inputs: tf.Tensor | tf.Tensor[]): { a: tf.Tensor3D; b: tf.Tensor3D; maskB: tf.Tensor | null } {
  if (!Array.isArray(inputs) || (inputs.length !== 2 && inputs.length !== 4)) {
    throw new Error('CrossAttention expects [a, b] or [a, b, maskA, maskB]');
  }
  const [a, b] = inputs as tf.Tensor3D[];
  return { a, b, maskB: inputs.length === 4 ? tf.cast(inputs[3], 'float32') : null };
}

export interface CrossAttentionPairOptions {
  /** Hidden ReLU layers of the head (default `[64]`). */
  hidden?: number[];
  /** Dropout before each head layer (default 0). */
  dropout?: number;
  /** Seed of the head's initialisers (default `courseSeed()`). */
  seed?: number;
}

/** Name of the cross-attention layer in {@link buildCrossAttentionPairClassifier}'s model. */
export const CROSS_ATTENTION_LAYER = 'cross_attention';

/**
 * `[sentenceA, sentenceB] -> P(paraphrase)` with cross-attention: a shared sequence encoder (built with
 * `buildRnnEncoder({ pooling: 'none', ... })`) reads both sentences; each side attends over the other (one shared
 * {@link CrossAttention} layer), its comparison is pooled over real words (mean and max), and the two pooled
 * vectors go through the pair features [u, v, |u-v|, u*v] and a small head.
 */
export function buildCrossAttentionPairClassifier(sequenceEncoder: tf.LayersModel, options: CrossAttentionPairOptions = {}): tf.LayersModel {
  const { hidden = [64], dropout = 0 } = options;
  assertDropoutRate('dropout', dropout);
  if (sequenceEncoder.inputs.length !== 1 || sequenceEncoder.outputs[0].shape.length !== 3) {
    throw new Error("the encoder must map token ids to a sequence [batch, time, features]: build it with pooling: 'none'");
  }
  const time = sequenceEncoder.inputs[0].shape[1];
  if (time == null || time < 2) throw new Error('the encoder needs a fixed sequenceLength of at least 2 (the padding masks are made from the ids)');
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);
  const [a, b] = sentencePairInputs(sequenceEncoder);
  const statesA = sequenceEncoder.apply(a) as tf.SymbolicTensor;
  const statesB = sequenceEncoder.apply(b) as tf.SymbolicTensor;
  const padding = new PaddingMask({ name: 'padding_mask' });
  const maskA = padding.apply(a) as tf.SymbolicTensor;
  const maskB = padding.apply(b) as tf.SymbolicTensor;
  const attention = new CrossAttention({ returnAttentionWeights: true, name: CROSS_ATTENTION_LAYER });
  const mean = new MaskedSequencePooling({ mode: 'mean', name: 'comparison_mean' });
  const max = new MaskedSequencePooling({ mode: 'max', name: 'comparison_max' });
  const concat = tf.layers.concatenate({ name: 'comparison_pooled' });
  const side = (from: tf.SymbolicTensor, to: tf.SymbolicTensor, fromMask: tf.SymbolicTensor, toMask: tf.SymbolicTensor) => {
    const [comparison] = attention.apply([from, to, fromMask, toMask]) as tf.SymbolicTensor[];
    const pooled = [mean, max].map((pool) => pool.apply([comparison, fromMask]) as tf.SymbolicTensor);
    return concat.apply(pooled) as tf.SymbolicTensor;
  };
  const features = pairFeatures(side(statesA, statesB, maskA, maskB), side(statesB, statesA, maskB, maskA));
  const output = paraphraseHead(features, hidden, dropout, seeds, dropouts);
  return tf.model({ inputs: [a, b], outputs: output, name: 'cross_attention_pair_classifier' });
}

/**
 * A model from `[sentenceA, sentenceB]` token ids to the weights with which A's words attend over B's,
 * `[batch, timeA, timeB]`, sharing the classifier's layers (so it shows the trained weights), for heatmaps.
 */
export function buildCrossAttentionWeightsModel(classifier: tf.LayersModel): tf.LayersModel {
  return attentionWeightsModel(classifier, CrossAttention, `${classifier.name}_cross_attention_weights`);
}

/**
 * Lesson 05's Transformer encoder, assembled from layers so every part is visible and the model saves/loads:
 * embedding -> sinusoidal positions -> N x [self-attention + residual + layer norm, feed-forward + residual +
 * layer norm] -> masked mean pooling -> classifier.
 */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { layerNormalization } from './layer-normalization';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';
import { MultiHeadSelfAttention } from './multi-head-attention';
import { SinusoidalPositionalEncoding } from './positional-encoding';
import { PaddingMask } from './sequence-mask';
import { MaskedSequencePooling } from './masked-pooling';

export interface TransformerBlockOptions {
  numHeads: number;
  /** Hidden size of the position-wise feed-forward network. */
  feedForwardDim: number;
  /** Dropout on attention weights, after attention and after the feed-forward network (default 0.1). */
  dropout?: number;
  /** Causal (left-to-right) attention (default false). */
  causal?: boolean;
  /** Prefix of the block's layer names (must be unique in the model). */
  name: string;
}

/**
 * One post-norm encoder block applied to `x` (`[batch, time, dim]`) with padding `mask` (`[batch, time]`):
 * LayerNorm(x + Dropout(MHSA(x))) then LayerNorm(h + Dropout(FFN(h))).
 */
export function transformerEncoderBlock(
  x: tf.SymbolicTensor,
  mask: tf.SymbolicTensor,
  options: TransformerBlockOptions,
  seeds: InitializerSeeds,
  dropouts?: DropoutSeeds,
): tf.SymbolicTensor {
  const { numHeads, feedForwardDim, dropout = 0.1, causal = false, name } = options;
  const dim = x.shape[2];
  if (dim == null) throw new Error('transformerEncoderBlock needs a known model dimension');
  const apply = (layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
    layer.apply(input) as tf.SymbolicTensor;
  // a block used alone derives its mask streams from the initialisers' stream
  const masks = dropout > 0 ? dropouts ?? new DropoutSeeds(seeds.next()) : undefined;
  const maybeDropout = (input: tf.SymbolicTensor, suffix: string) =>
    masks ? apply(masks.layer(dropout, `${name}_${suffix}_dropout`), input) : input;

  const attention = new MultiHeadSelfAttention({
    numHeads,
    causal,
    attentionDropout: dropout,
    seed: seeds.next(),
    name: `${name}_attention`,
  });
  const attended = maybeDropout(apply(attention, [x, mask]), 'attention');
  const h = apply(
    layerNormalization({ name: `${name}_attention_norm` }),
    apply(tf.layers.add({ name: `${name}_attention_residual` }), [x, attended]),
  );
  const hidden = apply(
    tf.layers.dense({ units: feedForwardDim, activation: 'relu', kernelInitializer: seeds.heNormal(), name: `${name}_ffn_1` }),
    h,
  );
  const projected = maybeDropout(
    apply(tf.layers.dense({ units: dim, kernelInitializer: seeds.glorotUniform(), name: `${name}_ffn_2` }), hidden),
    'ffn',
  );
  return apply(
    layerNormalization({ name: `${name}_ffn_norm` }),
    apply(tf.layers.add({ name: `${name}_ffn_residual` }), [h, projected]),
  );
}

export interface TransformerClassifierOptions {
  /** Vocabulary size including the padding id 0. */
  vocabSize: number;
  /** Padded sequence length. */
  sequenceLength: number;
  /** Model (embedding) dimension; divisible by `numHeads`. */
  modelDim: number;
  numHeads: number;
  feedForwardDim: number;
  /** Number of encoder blocks (default 2). */
  numLayers?: number;
  /** Output units: 1 (sigmoid) or the number of classes (softmax). */
  outputs: number;
  /** Dropout rate inside blocks and before the output (default 0.1). */
  dropout?: number;
  /** Causal attention (default false). */
  causal?: boolean;
  /** Token id used for padding (default 0). */
  padId?: number;
  /** Seed of the weight initialisers (default `courseSeed()`). */
  seed?: number;
}

/** Options of the encoder trunk shared by the classifier and the tagger (everything but the output). */
export type TransformerEncoderOptions = Omit<TransformerClassifierOptions, 'outputs'>;

/** The encoder's symbolic graph: token ids, their padding mask, and the last block's output `[batch, time, dim]`. */
export interface TransformerEncoderGraph {
  ids: tf.SymbolicTensor;
  mask: tf.SymbolicTensor;
  encoded: tf.SymbolicTensor;
}

/**
 * Token ids -> embedding -> sinusoidal positions -> dropout -> `numLayers` encoder blocks (named `block1`, ...), the
 * trunk of {@link buildTransformerClassifier} and `buildTransformerTagger`. Draws from `seeds` and `dropouts` in a
 * fixed order, so a seed gives the same weights whatever head follows.
 */
export function transformerEncoder(options: TransformerEncoderOptions, seeds: InitializerSeeds, dropouts: DropoutSeeds): TransformerEncoderGraph {
  const { vocabSize, sequenceLength, modelDim, numHeads, feedForwardDim, numLayers = 2, dropout = 0.1 } = options;
  assertPositiveInteger('vocabSize', vocabSize);
  assertPositiveInteger('sequenceLength', sequenceLength);
  assertPositiveInteger('modelDim', modelDim);
  assertPositiveInteger('numHeads', numHeads);
  assertPositiveInteger('feedForwardDim', feedForwardDim);
  assertPositiveInteger('numLayers', numLayers);
  assertDropoutRate('dropout', dropout);
  if (modelDim % numHeads !== 0) throw new Error(`modelDim ${modelDim} must be divisible by numHeads ${numHeads}`);

  const ids = tf.input({ shape: [sequenceLength], dtype: 'int32', name: 'token_ids' });
  const mask = new PaddingMask({ padId: options.padId ?? 0, name: 'padding_mask' }).apply(ids) as tf.SymbolicTensor;
  const embedded = tf.layers
    .embedding({
      inputDim: vocabSize,
      outputDim: modelDim,
      embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1 / Math.sqrt(modelDim), seed: seeds.next() }),
      name: 'token_embedding',
    })
    .apply(ids) as tf.SymbolicTensor;
  let x = new SinusoidalPositionalEncoding({ name: 'positional_encoding' }).apply(embedded) as tf.SymbolicTensor;
  if (dropout > 0) x = dropouts.layer(dropout, 'embedding_dropout').apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < numLayers; i++) {
    x = transformerEncoderBlock(x, mask, { numHeads, feedForwardDim, dropout, causal: options.causal, name: `block${i + 1}` }, seeds, dropouts);
  }
  return { ids, mask, encoded: x };
}

/** Build an (uncompiled) Transformer encoder classifier over int32 token ids `[batch, sequenceLength]`. */
export function buildTransformerClassifier(options: TransformerClassifierOptions): tf.LayersModel {
  const { outputs, dropout = 0.1 } = options;
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);
  const { ids, mask, encoded } = transformerEncoder(options, seeds, dropouts);
  let pooled = new MaskedSequencePooling({ mode: 'mean', name: 'mean_pooling' }).apply([encoded, mask]) as tf.SymbolicTensor;
  if (dropout > 0) pooled = dropouts.layer(dropout, 'output_dropout').apply(pooled) as tf.SymbolicTensor;
  const output = classifierOutputLayer(outputs, seeds).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: output, name: 'transformer_classifier' });
}

/**
 * A model from token ids to the attention weights `[batch, heads, time, time]` of one block, for plotting.
 * It reuses the layers before that block and copies the block's current attention weights into a twin layer that
 * also returns its weights: build it after training (rebuild after more training), and dispose it when done.
 */
export function buildTransformerAttentionModel(model: tf.LayersModel, block = 1): tf.LayersModel {
  const attention = model.getLayer(`block${block}_attention`);
  if (!(attention instanceof MultiHeadSelfAttention)) throw new Error(`block${block}_attention is not a MultiHeadSelfAttention`);
  const inputs = attention.getInputAt(0) as tf.SymbolicTensor[];
  // A twin layer that returns its weights, sharing the trained variables of the original.
  const probe = new MultiHeadSelfAttention({
    numHeads: attention.numHeads,
    headDim: attention.headDimOption,
    causal: attention.causal,
    returnAttentionWeights: true,
    name: `block${block}_attention_probe`,
  });
  const [, weights] = probe.apply(inputs) as tf.SymbolicTensor[];
  probe.setWeights(attention.getWeights());
  return tf.model({ inputs: model.inputs, outputs: weights, name: `block${block}_attention_weights` });
}

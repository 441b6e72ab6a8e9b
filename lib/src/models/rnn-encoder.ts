/**
 * Sentence encoders for lesson 03: token ids -> embedding -> (bi)RNN -> one vector per sentence.
 * Token id 0 is padding: the embedding masks it, the RNN skips it and every pooling ignores it.
 */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutFunction, DropoutSeeds } from './seeded-dropout';
import { AttentionPooling, AttentionScore, attentionWeightsModel } from './attention-pooling';
import { MaskedSequencePooling } from './masked-pooling';
import { MinimumLength } from './minimum-length';
import { PaddingMask } from './sequence-mask';
import { fusedLstm } from './fused-lstm';
import { fusedGru } from './fused-gru';
import { ReverseRealSteps } from './fused-bidirectional';
import { assertPositiveInteger } from './classifier-output';

export type RecurrentKind = 'simpleRnn' | 'lstm' | 'gru';
/**
 * `last`: the RNN's final state (at the last real token); `mean`/`max`: over real tokens; `attention`: learned
 * weights; `none`: no pooling, the states of every step `[batch, time, units]` with the padding mask (for
 * cross-attention between two sentences).
 */
export type SequencePooling = 'last' | 'mean' | 'max' | 'attention' | 'none';

export interface RnnEncoderOptions {
  kind: RecurrentKind;
  /** Vocabulary size including the padding id 0. */
  vocabSize: number;
  embeddingDim: number;
  /** Pre-trained vectors (e.g. GloVe), `[vocabSize, embeddingDim]`, row 0 for padding; absent: random init. */
  embeddingMatrix?: tf.Tensor2D | Float32Array | number[][];
  /** Fine-tune the embedding (default: true when random, false when `embeddingMatrix` is given). */
  trainableEmbedding?: boolean;
  /** Recurrent units (per direction). */
  units: number;
  /** Run a second RNN backwards and concatenate (default false). */
  bidirectional?: boolean;
  pooling: SequencePooling;
  /** How attention pooling scores steps (default `'additive'`). */
  attentionScore?: AttentionScore;
  /** Fixed padded length, or absent for variable length. */
  sequenceLength?: number;
  /** Dropout on the RNN inputs (default 0). */
  dropout?: number;
  /**
   * Run an LSTM or GRU as fused ops (`fusedLstm` / `fusedGru`, one op per direction; see fused-bidirectional.ts)
   * rather than `tf.layers.lstm` / `tf.layers.gru`: same results at the real words, several times faster to train.
   * Default true; it applies to `kind: 'lstm'` and `kind: 'gru'` without dropout and with a pooling other than
   * `'last'`, and needs the padding at the end.
   */
  fused?: boolean;
  /** Seed of the weight initialisers and the dropout masks (default `courseSeed()`). */
  seed?: number;
  name?: string;
}

/** Name of the attention layer inside an encoder built with `pooling: 'attention'`. */
export const ENCODER_ATTENTION_LAYER = 'attention_pooling';

/**
 * Build an encoder model: int32 token ids `[batch, time]` -> `[batch, units]` (`2 * units` when bidirectional;
 * `[batch, time, units]` with `pooling: 'none'`).
 * Use it alone with a head, or twice (shared weights) in {@link buildSiamesePairClassifier}.
 */
export function buildRnnEncoder(options: RnnEncoderOptions): tf.LayersModel {
  const { kind, vocabSize, embeddingDim, units, bidirectional = false, pooling, dropout = 0 } = options;
  assertPositiveInteger('vocabSize', vocabSize);
  assertPositiveInteger('embeddingDim', embeddingDim);
  assertPositiveInteger('units', units);
  if (!['last', 'mean', 'max', 'attention', 'none'].includes(pooling)) throw new Error(`unknown pooling '${pooling}'`);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);

  const fused = (options.fused ?? true) && (kind === 'lstm' || kind === 'gru') && dropout === 0 && pooling !== 'last';
  const ids = tf.input({ shape: [options.sequenceLength ?? null], dtype: 'int32', name: 'token_ids' });
  const embeddingLayer = tf.layers.embedding({
    inputDim: vocabSize,
    outputDim: embeddingDim,
    // the fused LSTM/GRU takes the padding mask as an input instead
    maskZero: !fused,
    embeddingsInitializer: seeds.uniform(),
    trainable: options.trainableEmbedding ?? options.embeddingMatrix === undefined,
    name: 'embedding',
  });
  // one-step batches cannot be trained through a recurrent layer in TF.js: pad them (masked) to two steps
  const steps = new MinimumLength({ minimum: 2, name: 'minimum_length' }).apply(ids) as tf.SymbolicTensor;
  const embedded = embeddingLayer.apply(steps) as tf.SymbolicTensor;

  let sequence: tf.SymbolicTensor;
  let mask: tf.SymbolicTensor | undefined;
  if (fused) {
    mask = new PaddingMask({ name: 'padding_mask' }).apply(steps) as tf.SymbolicTensor;
    sequence = fusedRecurrentStates(kind as 'lstm' | 'gru', embedded, mask, units, bidirectional, seeds);
  } else {
    const rnn = recurrentLayer(kind, units, pooling !== 'last', dropout, seeds, dropouts);
    let wrapper: tf.layers.Layer = rnn;
    if (bidirectional) {
      wrapper = tf.layers.bidirectional({ layer: rnn as tf.RNN, mergeMode: 'concat', name: `bi_${kind}` });
      // both directions are rebuilt from the layer's config, which cannot carry a mask function
      const directions = wrapper as unknown as { forwardLayer: tf.RNN; backwardLayer: tf.RNN };
      if (dropout > 0) for (const layer of [directions.forwardLayer, directions.backwardLayer]) setCellDropout(layer, dropouts.maskFunction());
    }
    sequence = wrapper.apply(embedded) as tf.SymbolicTensor;
  }
  const withMask = (x: tf.SymbolicTensor) => (mask === undefined ? x : [x, mask]);

  let encoding: tf.SymbolicTensor;
  if (pooling === 'last' || pooling === 'none') {
    encoding = sequence;
  } else if (pooling === 'attention') {
    const attention = new AttentionPooling({
      score: options.attentionScore ?? 'additive',
      units: Math.max(16, units),
      returnAttentionWeights: true,
      seed: seeds.next(),
      name: ENCODER_ATTENTION_LAYER,
    });
    encoding = (attention.apply(withMask(sequence)) as tf.SymbolicTensor[])[0];
  } else {
    encoding = new MaskedSequencePooling({ mode: pooling, name: `${pooling}_pooling` }).apply(withMask(sequence)) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: ids, outputs: encoding, name: options.name ?? `${kind}_encoder` });
  if (options.embeddingMatrix !== undefined) setEmbeddingMatrix(embeddingLayer, options.embeddingMatrix, vocabSize, embeddingDim);
  return model;
}

/**
 * The states of a fused (bidirectional) LSTM or GRU at every step, `[batch, time, units]` (`2 * units` when
 * bidirectional). Layer names: `lstm` / `lstm_forward`, `lstm_backward`, `bi_lstm` (and the same with `gru`).
 */
function fusedRecurrentStates(
  kind: 'lstm' | 'gru',
  embedded: tf.SymbolicTensor,
  mask: tf.SymbolicTensor,
  units: number,
  bidirectional: boolean,
  seeds: InitializerSeeds,
): tf.SymbolicTensor {
  const layer = kind === 'lstm' ? fusedLstm : fusedGru;
  const direction = (name: string) =>
    layer({ units, returnSequences: true, kernelInitializer: seeds.glorotUniform(), recurrentInitializer: seeds.orthogonal(), name });
  const forward = direction(bidirectional ? `${kind}_forward` : kind).apply(embedded) as tf.SymbolicTensor;
  if (!bidirectional) return forward;
  const reverse = new ReverseRealSteps({ name: 'reverse_real_steps' });
  const reversed = reverse.apply([embedded, mask]) as tf.SymbolicTensor;
  const backward = reverse.apply([direction(`${kind}_backward`).apply(reversed) as tf.SymbolicTensor, mask]) as tf.SymbolicTensor;
  return tf.layers.concatenate({ name: `bi_${kind}` }).apply([forward, backward]) as tf.SymbolicTensor;
}

function recurrentLayer(
  kind: RecurrentKind,
  units: number,
  returnSequences: boolean,
  dropout: number,
  seeds: InitializerSeeds,
  dropouts: DropoutSeeds,
) {
  const args = {
    units,
    returnSequences,
    dropout: dropout > 0 ? dropout : undefined,
    // seeded input masks, fresh at every step (TF.js's default draws them from Math.random)
    dropoutFunc: dropout > 0 ? dropouts.maskFunction() : undefined,
    kernelInitializer: seeds.glorotUniform(),
    recurrentInitializer: seeds.orthogonal(),
    name: kind,
  };
  switch (kind) {
    case 'simpleRnn':
      return tf.layers.simpleRNN(args);
    case 'lstm':
      return tf.layers.lstm(args);
    case 'gru':
      return tf.layers.gru(args);
    default:
      throw new Error(`unknown recurrent kind '${kind as string}'`);
  }
}

function setCellDropout(layer: tf.RNN, dropoutFunc: DropoutFunction): void {
  (layer.cell as unknown as { dropoutFunc: DropoutFunction }).dropoutFunc = dropoutFunc;
}

function setEmbeddingMatrix(
  layer: tf.layers.Layer,
  matrix: tf.Tensor2D | Float32Array | number[][],
  vocabSize: number,
  embeddingDim: number,
): void {
  const tensor =
    matrix instanceof tf.Tensor
      ? matrix
      : matrix instanceof Float32Array
        ? tf.tensor2d(checkLength(matrix, vocabSize * embeddingDim), [vocabSize, embeddingDim])
        : tf.tensor2d(matrix);
  try {
    if (tensor.shape[0] !== vocabSize || tensor.shape[1] !== embeddingDim) {
      throw new Error(`embeddingMatrix has shape [${tensor.shape}], expected [${vocabSize}, ${embeddingDim}]`);
    }
    layer.setWeights([tensor]);
  } finally {
    if (tensor !== matrix) tensor.dispose();
  }
}

function checkLength(values: Float32Array, expected: number): Float32Array {
  if (values.length !== expected) throw new Error(`embeddingMatrix has ${values.length} values, expected ${expected}`);
  return values;
}

/**
 * A model from the encoder's token ids to its attention weights `[batch, time]`, for plotting. It shares the
 * encoder's layers, so it always shows the current (trained) weights. Needs `pooling: 'attention'`.
 */
export function buildAttentionWeightsModel(encoder: tf.LayersModel): tf.LayersModel {
  return attentionWeightsModel(encoder, AttentionPooling, `${encoder.name}_attention_weights`);
}

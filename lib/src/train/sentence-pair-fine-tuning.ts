/**
 * Fine-tuning a pre-trained sentence encoder on sentence pairs (lesson 04): both sentences go through the same
 * {@link TrainableSentenceEncoder}, a head reads the pair features [u, v, |u - v|, u * v] (optionally followed by
 * lexical overlap features), and one loss trains head and encoder together: the encoder with a small learning rate
 * (linear warm-up, then cosine decay), the head with its own. After each epoch the validation pairs are scored; the
 * weights of the best epoch are kept (early stopping with restore). With `across`, layer 1 (or, with 'both layers',
 * every layer) reads the two sentences of a pair side by side, so each sentence's tokens also attend to the other's.
 * With `features: 'symmetric'` the head reads [|u - v|, u * v, u . v] instead, which do not change when the two
 * sentences swap places.
 *
 * Two savings that change no result: when the embeddings and Transformer layer 0 are frozen, their output is computed
 * once per sentence and cached (an epoch then runs only layer 1 and the output layer); and each epoch's batches are
 * made of pairs of similar length (shuffled, sorted by length within windows of 16 batches, batch order shuffled),
 * so less of every batch is padding.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { courseSeed } from '../config/seed';
import { lexicalPairFeatures, LEXICAL_PAIR_FEATURE_NAMES } from '../models/lexical-pair-features';
import { pairFeatureTensor } from '../models/pair-features';
import { SENTENCE_ENCODER_MAX_TOKENS, type TrainableSentenceEncoder } from '../models/trainable-sentence-encoder';
import { adam } from './adam';
import { type ClassificationReport } from './classification-metrics';
import { scoreProbabilities } from './evaluate-classifier';
import { cosineDecaySchedule, setOptimizerLearningRate } from './learning-rate';

/** A labelled sentence pair (MRPC's pairs fit). */
export interface LabelledSentencePair {
  sentence1: string;
  sentence2: string;
  label: number;
}

/** What turns text into token ids (the encoder's SentencePiece tokenizer). */
export interface PieceEncoder {
  encode(text: string): number[];
  unknownId: number;
}

/**
 * What the head reads of two sentence embeddings: 'full' = [u, v, |u - v|, u * v] (4d numbers); 'symmetric' =
 * [|u - v|, u * v, u . v] (2d + 1: the same for (A, B) and (B, A), so the head cannot learn an order that the task
 * does not have; u . v is the cosine similarity, as the embeddings have length 1).
 */
export type PairFeatureSet = 'full' | 'symmetric';

/** Width of the head's input: the pair features of two `embeddingSize` embeddings, plus the lexical ones when used. */
export function pairHeadInputSize(lexical: boolean, embeddingSize = 512, features: PairFeatureSet = 'full'): number {
  return (features === 'full' ? 4 * embeddingSize : 2 * embeddingSize + 1) + (lexical ? LEXICAL_PAIR_FEATURE_NAMES.length : 0);
}

/** `[n, pairHeadInputSize(...)]`: the pair features of `u` and `v` (see {@link PairFeatureSet}), then `lexical` when given. */
export function sentencePairFeatures(u: tf.Tensor2D, v: tf.Tensor2D, lexical?: tf.Tensor2D, features: PairFeatureSet = 'full'): tf.Tensor2D {
  return tf.tidy(() => {
    const pair = features === 'full' ? pairFeatureTensor(u, v) : symmetricPairFeatures(u, v);
    return (lexical ? tf.concat([pair, lexical], 1) : pair) as tf.Tensor2D;
  });
}

/** [|u - v|, u * v, u . v]: the product once, and its row sums as the dot product. */
function symmetricPairFeatures(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  const product = tf.mul(u, v);
  return tf.concat([tf.abs(tf.sub(u, v)), product, tf.sum(product, 1, true)], 1) as tf.Tensor2D;
}

/**
 * Mean and standard deviation of each lexical feature over a set of pairs (the training pairs). The raw features are
 * fractions with small spreads; standardised (`(x - mean) / std`), a head trained with a small learning rate and
 * early stopping can weigh them as readily as the embeddings' features.
 */
export interface LexicalScaling {
  mean: number[];
  std: number[];
}

/** The {@link LexicalScaling} of `pairs` (a feature that never varies gets std 1). */
export function lexicalScaling(pairs: readonly LabelledSentencePair[]): LexicalScaling {
  if (pairs.length === 0) throw new Error('lexicalScaling: no pairs');
  const rows = pairs.map((p) => lexicalPairFeatures(p.sentence1, p.sentence2));
  const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length) || 1);
  return { mean, std };
}

/** The lexical features of every pair, `[n, LEXICAL_PAIR_FEATURE_NAMES.length]`, standardised when `scaling` is given. */
export function lexicalFeatureTensor(pairs: readonly LabelledSentencePair[], scaling?: LexicalScaling): tf.Tensor2D {
  const rows = pairs.map((p) => {
    const row = lexicalPairFeatures(p.sentence1, p.sentence2);
    return scaling ? row.map((x, j) => (x - scaling.mean[j]) / scaling.std[j]) : row;
  });
  return tf.tensor2d(rows, [pairs.length, LEXICAL_PAIR_FEATURE_NAMES.length]);
}

/** The lexical option of the functions below: false (none), true (raw features) or the scaling that standardises them. */
export type LexicalOption = boolean | LexicalScaling;

function lexicalFor(pairs: readonly LabelledSentencePair[], lexical: LexicalOption | undefined): tf.Tensor2D | undefined {
  if (!lexical) return undefined;
  return lexicalFeatureTensor(pairs, lexical === true ? undefined : lexical);
}

/**
 * How the encoder reads a pair: false, each sentence on its own (a siamese encoder); true, layer 1 reads both side by
 * side (the lower states stay per sentence and can be cached); 'both layers', layers 0 and 1 read both side by side
 * (a cross-encoder: every token state depends on both sentences, nothing is cached).
 */
export type Across = boolean | 'both layers';

/** Whether the token states after layer 0 can be computed once per sentence and kept: that part is frozen and reads one sentence at a time. */
export function lowerStatesCacheable(encoder: TrainableSentenceEncoder, across: Across = false): boolean {
  return encoder.lowerFrozen && across !== 'both layers';
}

export interface PairFineTuningOptions {
  /** Most epochs (default 3). */
  epochs?: number;
  /** Pairs per step (default 16: 32 sentences through the encoder). */
  batchSize?: number;
  /** Peak learning rate of the encoder (default 3e-5). */
  encoderLearningRate?: number;
  /** Learning rate of the head (default 1e-3). */
  headLearningRate?: number;
  /** Fraction of all steps spent warming the encoder's rate up from ~0 (default 0.1). */
  warmupFraction?: number;
  /** Stop after this many epochs without a better validation score (default 1). */
  patience?: number;
  /**
   * The validation score that picks the epoch to keep: 'accuracy' (default) or 'loss' (the mean log loss, which moves
   * smoothly where the accuracy on a few hundred pairs changes by single pairs).
   */
  monitor?: 'accuracy' | 'loss';
  /** Append the lexical features to the pair features, raw (true) or standardised (a {@link LexicalScaling}); the head's input size must match. */
  lexical?: LexicalOption;
  /** Which pair features the head reads (default 'full'; the head's input size must match). */
  features?: PairFeatureSet;
  /** Tokens kept per sentence (default 128, the graph's own limit). */
  maxTokens?: number;
  /** Whether layer 1 (true) or both layers ('both layers') read the two sentences of a pair side by side; default false. */
  across?: Across;
  /** Shuffling seed (default `courseSeed()`). */
  seed?: number;
  /**
   * The cached lower states to use (made for this encoder, e.g. by an earlier run from the same pre-trained weights);
   * default: a new cache when the lower part is frozen.
   */
  cache?: LowerStateCache;
  /** Stop an epoch after this many steps (smoke runs). */
  maxStepsPerEpoch?: number;
  /** Called after each epoch. */
  onEpoch?: (record: PairEpochRecord) => void;
  /** Called every `every` steps with the step count (progress of a long epoch). */
  onSteps?: { every: number; callback: (step: number, stepsPerEpoch: number, loss: number) => void };
}

export interface PairEpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
}

export interface PairFineTuningResult {
  epochs: PairEpochRecord[];
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  /** Mean seconds of one epoch's training steps (validation excluded). */
  secondsPerEpoch: number;
}

/** Probabilities of the positive class for every pair, `batchSize` pairs at a time (no gradients). */
export function predictPairs(
  encoder: TrainableSentenceEncoder,
  tokenizer: PieceEncoder,
  head: tf.LayersModel,
  pairs: readonly LabelledSentencePair[],
  options: { lexical?: LexicalOption; features?: PairFeatureSet; batchSize?: number; maxTokens?: number; cache?: LowerStateCache; across?: Across } = {},
): Float32Array {
  const batchSize = options.batchSize ?? 32;
  const out = new Float32Array(pairs.length);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const batch = pairs.slice(start, start + batchSize);
    const p = tf.tidy(() => pairProbabilities(encoder, tokenizer, head, batch, { ...options, training: false }));
    out.set(p.dataSync(), start);
    p.dispose();
  }
  return out;
}

/** Accuracy, F1 and the rest of a classification report at threshold 0.5, plus the mean log loss. */
export function scorePairProbabilities(pairs: readonly LabelledSentencePair[], probabilities: Float32Array): ClassificationReport & { logLoss: number } {
  const { predictions, loss, ...report } = scoreProbabilities(probabilities, 1, pairs.map((p) => p.label));
  return { ...report, logLoss: loss };
}

/** A sentence's SentencePiece ids as the encoder reads them: at most `maxTokens`, and at most the encoder's 128. */
function sentencePieces(tokenizer: PieceEncoder, text: string, maxTokens?: number): number[] {
  return tokenizer.encode(text).slice(0, Math.min(maxTokens ?? SENTENCE_ENCODER_MAX_TOKENS, SENTENCE_ENCODER_MAX_TOKENS));
}

/**
 * Train `encoder` (its trainable parts) and `head` (a layers model from `pairHeadInputSize(lexical)` features to one sigmoid unit)
 * together on `train`; keep the weights of the epoch with the best score on `validation` (see `monitor`).
 */
export function fineTuneSentencePairs(
  encoder: TrainableSentenceEncoder,
  tokenizer: PieceEncoder,
  head: tf.LayersModel,
  train: readonly LabelledSentencePair[],
  validation: readonly LabelledSentencePair[],
  options: PairFineTuningOptions = {},
): PairFineTuningResult {
  const { epochs = 3, batchSize = 16, patience = 1, lexical = false, features = 'full', across = false, monitor = 'accuracy' } = options;
  const expected = pairHeadInputSize(Boolean(lexical), 512, features);
  const width = head.inputs[0].shape[1];
  if (width !== expected) throw new Error(`the head takes ${width} features but the pairs give ${expected} (lexical: ${Boolean(lexical)}, features: '${features}')`);
  const rng = new Rng(options.seed ?? courseSeed());
  const stepsPerEpoch = Math.min(Math.ceil(train.length / batchSize), options.maxStepsPerEpoch ?? Infinity);
  const totalSteps = epochs * stepsPerEpoch;
  const schedule = cosineDecaySchedule({
    initial: options.encoderLearningRate ?? 3e-5,
    totalSteps: totalSteps + 1,
    warmupSteps: Math.min(totalSteps, Math.round((options.warmupFraction ?? 0.1) * totalSteps)),
  });
  const encoderOptimizer = adam(schedule(0));
  const headOptimizer = adam(options.headLearningRate ?? 1e-3);
  const encoderVariables = encoder.trainableVariables;
  const headVariables = head.trainableWeights.map((w) => w.read() as tf.Variable);
  const allVariables = [...encoderVariables, ...headVariables];

  const pieces = (text: string) => sentencePieces(tokenizer, text, options.maxTokens);
  if (options.cache && (!encoder.lowerFrozen || !options.cache.belongsTo(encoder))) throw new Error('the cache holds another encoder\'s states, or the lower part of this one trains');
  if (options.cache && across === 'both layers') throw new Error("with across: 'both layers' no token state can be cached (each depends on the other sentence)");
  const cache = options.cache ?? (lowerStatesCacheable(encoder, across) ? new LowerStateCache(encoder, tokenizer, options.maxTokens) : undefined);
  cache?.add([...train, ...validation].flatMap((p) => [p.sentence1, p.sentence2]));
  const pairLengths = train.map((p) => Math.max(pieces(p.sentence1).length, pieces(p.sentence2).length));

  const records: PairEpochRecord[] = [];
  let best = { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let trainingSeconds = 0;
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      const batches = lengthBucketedBatches(pairLengths, batchSize, rng);
      let lossSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const batch = batches[s].map((i) => train[i]);
        setOptimizerLearningRate(encoderOptimizer, Math.max(schedule(step++), 1e-12));
        const labels = tf.tensor2d(batch.map((p) => p.label), [batch.length, 1]);
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => tf.metrics.binaryCrossentropy(labels, pairProbabilities(encoder, tokenizer, head, batch, { lexical, features, maxTokens: options.maxTokens, cache, across, training: true })).mean() as tf.Scalar),
          allVariables,
        );
        lossSum += value.dataSync()[0];
        if (encoderVariables.length > 0) encoderOptimizer.applyGradients(Object.fromEntries(encoderVariables.map((v) => [v.name, grads[v.name]])));
        headOptimizer.applyGradients(Object.fromEntries(headVariables.map((v) => [v.name, grads[v.name]])));
        tf.dispose([value, labels, ...Object.values(grads)]);
        if (options.onSteps && (s + 1) % options.onSteps.every === 0) options.onSteps.callback(s + 1, stepsPerEpoch, lossSum / (s + 1));
      }
      const seconds = (performance.now() - started) / 1000;
      trainingSeconds += seconds;
      const valScores = scorePairProbabilities(validation, predictPairs(encoder, tokenizer, head, validation, { lexical, features, maxTokens: options.maxTokens, cache, across }));
      const record = { epoch, loss: lossSum / stepsPerEpoch, valLoss: valScores.logLoss, valAccuracy: valScores.accuracy, seconds };
      records.push(record);
      options.onEpoch?.(record);
      const score = monitor === 'loss' ? -valScores.logLoss : valScores.accuracy;
      if (score > best.score) {
        tf.dispose(best.weights);
        best = { score, epoch, weights: allVariables.map((v) => tf.clone(v)) };
      } else if (epoch - best.epoch >= patience) {
        break;
      }
    }
    allVariables.forEach((v, i) => v.assign(best.weights[i]));
  } finally {
    tf.dispose(best.weights);
    encoderOptimizer.dispose();
    headOptimizer.dispose();
  }
  return { epochs: records, bestEpoch: best.epoch, secondsPerEpoch: trainingSeconds / records.length };
}

function pairProbabilities(
  encoder: TrainableSentenceEncoder,
  tokenizer: PieceEncoder,
  head: tf.LayersModel,
  pairs: readonly LabelledSentencePair[],
  options: { lexical?: LexicalOption; features?: PairFeatureSet; maxTokens?: number; cache?: LowerStateCache; across?: Across; training: boolean },
): tf.Tensor2D {
  // Both sentences of every pair in one encoder batch: one pass, then split.
  const texts = [...pairs.map((p) => p.sentence1), ...pairs.map((p) => p.sentence2)];
  const tokenBatch = () => encoder.tokenBatch(texts.map((t) => sentencePieces(tokenizer, t, options.maxTokens)), tokenizer.unknownId);
  let embeddings: tf.Tensor2D;
  if (options.across === 'both layers') {
    const batch = tokenBatch();
    embeddings = encoder.applyAcross(batch);
    tf.dispose([batch.ids, batch.mask]);
  } else {
    let states: tf.Tensor3D;
    let mask: tf.Tensor2D;
    if (options.cache) {
      ({ states, mask } = options.cache.batch(texts));
    } else {
      const batch = tokenBatch();
      states = encoder.lowerStates(batch);
      mask = batch.mask;
      batch.ids.dispose();
    }
    embeddings = options.across ? encoder.applyUpperAcross(states, mask) : encoder.applyUpper(states, mask);
    tf.dispose([states, mask]);
  }
  const [u, v] = tf.split(embeddings, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  const features = sentencePairFeatures(u, v, lexicalFor(pairs, options.lexical), options.features);
  return head.apply(features, { training: options.training }) as tf.Tensor2D;
}

/**
 * Batches of pair indices for one epoch: a random order, sorted by length within windows of 16 batches, cut into
 * batches whose order is shuffled again. Every pair appears once.
 */
export function lengthBucketedBatches(lengths: readonly number[], batchSize: number, rng: Rng): number[][] {
  const order = Array.from(rng.permutation(lengths.length));
  const window = 16 * batchSize;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += window) {
    const sorted = order.slice(start, start + window).sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < sorted.length; b += batchSize) batches.push(sorted.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

/** The token states after the frozen embedding and layer 0, per sentence, computed once (see `lowerStates`). */
export class LowerStateCache {
  private readonly states = new Map<string, Float32Array>();

  constructor(
    private readonly encoder: TrainableSentenceEncoder,
    private readonly tokenizer: PieceEncoder,
    private readonly maxTokens?: number,
  ) {}

  get size(): number {
    return this.states.size;
  }

  /** True when these states come from `encoder`. */
  belongsTo(encoder: TrainableSentenceEncoder): boolean {
    return this.encoder === encoder;
  }

  /** Compute and keep the states of the sentences not cached yet (similar lengths batched together). */
  add(texts: readonly string[], batchSize = 64): void {
    const todo = [...new Set(texts)].filter((t) => !this.states.has(t));
    const tokens = new Map(todo.map((t) => [t, this.tokens(t)]));
    todo.sort((a, b) => tokens.get(a)!.length - tokens.get(b)!.length);
    for (let start = 0; start < todo.length; start += batchSize) {
      const chunk = todo.slice(start, start + batchSize);
      const batch = this.encoder.tokenBatch(chunk.map((t) => tokens.get(t)!), this.tokenizer.unknownId);
      const states = this.encoder.lowerStates(batch);
      const values = states.dataSync() as Float32Array;
      const [, length, width] = states.shape;
      chunk.forEach((t, i) => {
        const n = Math.max(1, tokens.get(t)!.length);
        this.states.set(t, values.slice(i * length * width, (i * length + n) * width));
      });
      tf.dispose([batch.ids, batch.mask, states]);
    }
  }

  /** Cached states of `texts`, zero-padded to the longest: `states` `[n, length, 512]` and `mask` `[n, length]`. */
  batch(texts: readonly string[]): { states: tf.Tensor3D; mask: tf.Tensor2D } {
    const rows = texts.map((t) => {
      const row = this.states.get(t);
      if (row === undefined) throw new Error(`sentence not in the cache: ${JSON.stringify(t.slice(0, 60))}`);
      return row;
    });
    const width = 512;
    const length = Math.max(...rows.map((r) => r.length / width));
    const states = new Float32Array(texts.length * length * width);
    const mask = new Float32Array(texts.length * length);
    rows.forEach((row, i) => {
      states.set(row, i * length * width);
      mask.fill(1, i * length, i * length + row.length / width);
    });
    return { states: tf.tensor3d(states, [texts.length, length, width]), mask: tf.tensor2d(mask, [texts.length, length]) };
  }

  private tokens(text: string): number[] {
    return sentencePieces(this.tokenizer, text, this.maxTokens);
  }
}

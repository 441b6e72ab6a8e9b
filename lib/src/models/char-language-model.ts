/**
 * Lesson 03's sequence generation: a character-level language model (embedding -> LSTM -> softmax over the next
 * character at every step), its held-out bits per character, and sampling with a temperature.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { InitializerSeeds } from './initializer-seeds';
import { assertPositiveInteger } from './classifier-output';
import { fusedLstm } from './fused-lstm';

export interface CharLanguageModelOptions {
  /** Number of character ids (`CharVocabulary.size`). */
  vocabSize: number;
  /** Size of each character's embedding (default 32). */
  embeddingDim?: number;
  /** LSTM units (default 256). */
  units?: number;
  /** Seed of the weight initialisers (default `courseSeed()`). */
  seed?: number;
}

/**
 * Character ids `[batch, time]` (any length) -> probabilities of the next character `[batch, time, vocabSize]`.
 * Train it with sparse categorical cross-entropy on windows from `charWindows`.
 */
export function buildCharLanguageModel(options: CharLanguageModelOptions): tf.LayersModel {
  const { vocabSize, embeddingDim = 32, units = 256 } = options;
  assertPositiveInteger('vocabSize', vocabSize);
  assertPositiveInteger('embeddingDim', embeddingDim);
  assertPositiveInteger('units', units);
  const seeds = new InitializerSeeds(options.seed);
  const ids = tf.input({ shape: [null], dtype: 'int32', name: 'char_ids' });
  let x = tf.layers.embedding({ inputDim: vocabSize, outputDim: embeddingDim, embeddingsInitializer: seeds.uniform(), name: 'char_embedding' }).apply(ids) as tf.SymbolicTensor;
  x = fusedLstm({ units, returnSequences: true, kernelInitializer: seeds.glorotUniform(), recurrentInitializer: seeds.orthogonal(), name: 'lstm' }).apply(x) as tf.SymbolicTensor;
  const next = tf.layers.dense({ units: vocabSize, activation: 'softmax', kernelInitializer: seeds.glorotUniform(), name: 'next_char' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: next, name: 'char_language_model' });
}

/**
 * Mean bits per character of `model` predicting `y` from `x` (windows from `charWindows`), `batchSize` windows at a
 * time: the cross-entropy in base 2. A model that knows nothing scores log2(vocabSize).
 */
export async function bitsPerCharacter(model: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D, batchSize = 64): Promise<number> {
  const [count, length] = x.shape;
  if (y.shape[0] !== count || y.shape[1] !== length) throw new Error(`bitsPerCharacter: x is [${x.shape}] but y is [${y.shape}]`);
  let nats = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const sum = tf.tidy(() => {
      const probs = model.predict(x.slice([start, 0], [size, length])) as tf.Tensor3D;
      const truth = tf.oneHot(tf.reshape(y.slice([start, 0], [size, length]), [-1]), probs.shape[2]);
      const picked = tf.sum(tf.mul(tf.reshape(probs, [-1, probs.shape[2]]), truth), 1);
      return tf.sum(tf.neg(tf.log(tf.maximum(picked, 1e-12))));
    });
    nats += (await sum.data())[0];
    sum.dispose();
  }
  return nats / (count * length) / Math.LN2;
}

export interface SampleOptions {
  /** Characters to generate. */
  length: number;
  /** < 1 sharpens the distribution (safer, more repetitive), > 1 flattens it (more surprising, more errors). */
  temperature: number;
  /** Seed of the sampler (default 1). */
  seed?: number;
  /** Characters of context the model sees at each step (default 100): the last ones generated. */
  context?: number;
}

/**
 * Generate `length` ids after the `prompt` ids: at each step the model's next-character distribution over the last
 * `context` ids is reshaped by the temperature (p^(1/T), renormalised) and one id is drawn from it.
 * Each step's probabilities are read asynchronously: a loop of hundreds of synchronous reads never lets Node free the
 * GPU objects of the steps before (on the webgpu backend it ran the Vulkan driver out of descriptor memory).
 */
export async function sampleCharacters(model: tf.LayersModel, prompt: readonly number[], options: SampleOptions): Promise<number[]> {
  const { length, temperature, context = 100 } = options;
  if (!(temperature > 0)) throw new Error(`sampleCharacters: temperature must be positive, got ${temperature}`);
  if (prompt.length === 0) throw new Error('sampleCharacters: the prompt needs at least one character');
  const rng = new Rng(options.seed ?? 1);
  const ids = [...prompt];
  for (let i = 0; i < length; i++) {
    const window = ids.slice(-context);
    const next = tf.tidy(() => {
      const out = model.predict(tf.tensor2d([window], [1, window.length], 'int32')) as tf.Tensor3D;
      return out.slice([0, window.length - 1, 0], [1, 1, -1]);
    });
    const probs = await next.data();
    next.dispose();
    ids.push(drawWithTemperature(probs, temperature, rng));
  }
  return ids.slice(prompt.length);
}

/** Draw an index from `probs` reshaped by `temperature`. */
export function drawWithTemperature(probs: ArrayLike<number>, temperature: number, rng: Rng): number {
  // in log space, so a low temperature does not underflow every weight to 0
  const logits = Array.from(probs, (p) => Math.log(Math.max(p, 1e-30)) / temperature);
  const top = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - top));
  let r = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

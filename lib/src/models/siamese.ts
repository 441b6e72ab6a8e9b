/** Lesson 03's paraphrase classifier: one shared encoder reads both sentences; a head judges the pair. */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, classifierOutputLayer } from './classifier-output';
import { pairFeatures } from './pair-features';

export interface SiamesePairOptions {
  /** Hidden ReLU layers of the head (default `[]`: logistic regression on the pair features). */
  hidden?: number[];
  /** Dropout before each head layer (default 0). */
  dropout?: number;
  /** Seed of the head's initialisers (default `courseSeed()`). */
  seed?: number;
}

/**
 * Build `[sentenceA, sentenceB] -> P(paraphrase)`: both token-id inputs go through the same `encoder` (shared
 * weights), then [u, v, |u-v|, u*v] -> optional hidden layers -> one sigmoid unit.
 */
export function buildSiamesePairClassifier(encoder: tf.LayersModel, options: SiamesePairOptions = {}): tf.LayersModel {
  const { hidden = [], dropout = 0 } = options;
  assertDropoutRate('dropout', dropout);
  if (encoder.inputs.length !== 1) throw new Error('the encoder must take one input (token ids)');
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);
  const [a, b] = sentencePairInputs(encoder);
  const features = pairFeatures(encoder.apply(a) as tf.SymbolicTensor, encoder.apply(b) as tf.SymbolicTensor);
  const output = paraphraseHead(features, hidden, dropout, seeds, dropouts);
  return tf.model({ inputs: [a, b], outputs: output, name: 'siamese_pair_classifier' });
}

/** The head of the pair classifiers: [dropout -> dense ReLU] per hidden layer, dropout, one sigmoid unit. */
export function paraphraseHead(features: tf.SymbolicTensor, hidden: number[], dropout: number, seeds: InitializerSeeds, dropouts: DropoutSeeds): tf.SymbolicTensor {
  let x = features;
  hidden.forEach((units, i) => {
    if (dropout > 0) x = dropouts.layer(dropout, `head_dropout_${i + 1}`).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units, activation: 'relu', kernelInitializer: seeds.heNormal(), name: `head_dense_${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
  });
  if (dropout > 0) x = dropouts.layer(dropout, 'head_dropout_out').apply(x) as tf.SymbolicTensor;
  return classifierOutputLayer(1, seeds, { name: 'paraphrase' }).apply(x) as tf.SymbolicTensor;
}

/** The two token-id inputs of a pair classifier, shaped like the (shared) encoder's input. */
export function sentencePairInputs(encoder: tf.LayersModel): [tf.SymbolicTensor, tf.SymbolicTensor] {
  const shape = encoder.inputs[0].shape.slice(1);
  const dtype = encoder.inputs[0].dtype;
  return [tf.input({ shape, dtype, name: 'sentence_a' }), tf.input({ shape, dtype, name: 'sentence_b' })];
}

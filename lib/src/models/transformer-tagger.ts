/**
 * A Transformer encoder that predicts one class per position (a "tagger"): the encoder of
 * {@link buildTransformerClassifier} without the pooling, then the same softmax layer at every position. Lesson 05
 * trains it on sequence tasks such as reversing a sequence, where each output has to find its input by attention.
 */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { classifierOutputLayer } from './classifier-output';
import { TransformerEncoderOptions, transformerEncoder } from './transformer';

export interface TransformerTaggerOptions extends TransformerEncoderOptions {
  /** Classes per position (at least 2: the output is a softmax at each position). */
  outputs: number;
}

/** Build an (uncompiled) per-position classifier: int32 ids `[batch, sequenceLength]` -> `[batch, sequenceLength, outputs]`. */
export function buildTransformerTagger(options: TransformerTaggerOptions): tf.LayersModel {
  const { outputs, dropout = 0.1 } = options;
  if (!Number.isInteger(outputs) || outputs < 2) throw new Error(`outputs must be an integer >= 2 (a softmax per position), got ${outputs}`);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);
  const { ids, encoded } = transformerEncoder(options, seeds, dropouts);
  let x = encoded;
  if (dropout > 0) x = dropouts.layer(dropout, 'output_dropout').apply(x) as tf.SymbolicTensor;
  // A dense layer on [batch, time, dim] acts on the last axis: the same classifier at every position.
  const output = classifierOutputLayer(outputs, seeds, { activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: output, name: 'transformer_tagger' });
}

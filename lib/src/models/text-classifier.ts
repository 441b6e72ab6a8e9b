/**
 * Single-sentence text classification (sentiment, topic, ...): token ids -> the lesson-03 encoder (embedding,
 * (bi)RNN, pooling) -> optional hidden layers -> one sigmoid unit (two classes) or a softmax. The pair classifier's
 * sibling for one sentence; compile it with `compileClassifier` and train it on class ids.
 */
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '../config';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';
import { RnnEncoderOptions, buildRnnEncoder } from './rnn-encoder';

export interface TextClassifierOptions extends Omit<RnnEncoderOptions, 'kind' | 'pooling' | 'dropout' | 'name'> {
  /** Number of classes: 2 gives one sigmoid unit (labels 0/1), more a softmax. */
  classes: number;
  /** Recurrent cell (default `'lstm'`). */
  kind?: RnnEncoderOptions['kind'];
  /** How the sentence's steps become one vector (default `'mean'`). */
  pooling?: RnnEncoderOptions['pooling'];
  /** Units of dense ReLU layers between the encoder and the output (default none). */
  hidden?: number[];
  /** Dropout before each dense layer and the output (default 0). */
  dropout?: number;
}

/** Build an (uncompiled) classifier of int32 token ids `[batch, time]` (0 = padding). */
export function buildTextClassifier(options: TextClassifierOptions): tf.LayersModel {
  const { classes, hidden = [], dropout = 0, kind = 'lstm', pooling = 'mean' } = options;
  assertPositiveInteger('classes', classes);
  if (classes < 2) throw new Error(`a classifier needs at least 2 classes, got ${classes}`);
  hidden.forEach((units, i) => assertPositiveInteger(`hidden[${i}]`, units));
  assertDropoutRate('dropout', dropout);
  const encoder = buildRnnEncoder({ ...options, kind, pooling, name: 'sentence_encoder' });
  const seeds = new InitializerSeeds((options.seed ?? courseSeed()) + 1); // apart from the encoder's own stream
  const dropouts = new DropoutSeeds(options.seed);
  const ids = tf.input({ shape: encoder.inputs[0]!.shape.slice(1), dtype: 'int32', name: 'token_ids' });
  let x = encoder.apply(ids) as tf.SymbolicTensor;
  hidden.forEach((units, i) => {
    if (dropout > 0) x = dropouts.layer(dropout, `head_dropout_${i + 1}`).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units, activation: 'relu', kernelInitializer: seeds.heNormal(), name: `head_dense_${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  if (dropout > 0) x = dropouts.layer(dropout, 'head_dropout_out').apply(x) as tf.SymbolicTensor;
  const output = classifierOutputLayer(classes === 2 ? 1 : classes, seeds, { name: 'class' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: output, name: 'text_classifier' });
}

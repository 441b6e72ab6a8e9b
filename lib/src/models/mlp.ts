/** Multi-layer perceptron for the 2-D toy problems of lesson 01 (decision boundaries, optimisers, regularisation). */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import {
  HiddenActivation,
  OutputActivation,
  assertDropoutRate,
  assertPositiveInteger,
  classifierOutputLayer,
} from './classifier-output';

export interface MlpOptions {
  /** Number of input features (2 for the toy data sets). */
  inputDim: number;
  /** Units of each hidden layer, in order; `[]` gives logistic/softmax regression. */
  hidden: number[];
  /** Output units: 1 for a binary (sigmoid) output, k for k classes (softmax). */
  outputs: number;
  /** Activation of the hidden layers. */
  activation: HiddenActivation;
  /** Dropout rate after each hidden layer (0 or absent: none). */
  dropout?: number;
  /** L2 penalty factor on every kernel (hidden and output); absent: none. */
  l2?: number;
  /** Output activation; default `'auto'` (sigmoid for 1 output, softmax otherwise). */
  outputActivation?: OutputActivation;
  /** Seed of the weight initialisers and the dropout masks (default `courseSeed()`). */
  seed?: number;
}

/** Build an (uncompiled) MLP: dense hidden layers, optional dropout and L2, then a classifier output. */
export function buildMlp(options: MlpOptions): tf.Sequential {
  const { inputDim, hidden, outputs, activation, dropout = 0, l2 } = options;
  assertPositiveInteger('inputDim', inputDim);
  hidden.forEach((units, i) => assertPositiveInteger(`hidden[${i}]`, units));
  assertDropoutRate('dropout', dropout);
  if (l2 !== undefined && !(l2 >= 0)) throw new Error(`l2 must be >= 0, got ${l2}`);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);

  const model = tf.sequential({ name: 'mlp' });
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation,
        kernelInitializer: activation === 'relu' ? seeds.heNormal() : seeds.glorotUniform(),
        kernelRegularizer: l2 ? tf.regularizers.l2({ l2 }) : undefined,
        name: `hidden_${i + 1}`,
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
      }),
    );
    if (dropout > 0) model.add(dropouts.layer(dropout, `dropout_${i + 1}`));
  });
  if (hidden.length === 0) model.add(tf.layers.inputLayer({ inputShape: [inputDim], name: 'features' }));
  model.add(classifierOutputLayer(outputs, seeds, { activation: options.outputActivation, l2 }));
  return model;
}

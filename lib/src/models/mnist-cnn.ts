/** The lesson-02 MNIST CNN: two conv/pool stages, dropout, a dense layer. Reaches >= 99.2% test accuracy. */
import * as tf from '@tensorflow/tfjs';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';

export interface MnistCnnOptions {
  /** Dropout rate before the dense layer and before the output (default 0.25; 0 turns it off). */
  dropout?: number;
  /** Filters of the two convolution stages (default [32, 64]). */
  filters?: [number, number];
  /** Units of the dense layer (default 128). */
  denseUnits?: number;
  /** Seed of the weight initialisers and the dropout masks (default `courseSeed()`). */
  seed?: number;
}

/**
 * Build an (uncompiled) CNN for 28x28x1 images (pixels in [0, 1]) and 10 classes (softmax). Compile it with
 * `compileClassifier`, which takes class ids 0-9 as the MNIST loader gives them (one-hot rows: `labels: 'onehot'`):
 * conv5x5(32)-relu-maxpool, conv5x5(64)-relu-maxpool, flatten, dropout, dense(128)-relu, dropout, dense(10).
 * With the defaults it has 184,586 parameters.
 */
export function buildMnistCnn(options: MnistCnnOptions = {}): tf.Sequential {
  const { dropout = 0.25, filters = [32, 64], denseUnits = 128 } = options;
  assertDropoutRate('dropout', dropout);
  filters.forEach((f, i) => assertPositiveInteger(`filters[${i}]`, f));
  assertPositiveInteger('denseUnits', denseUnits);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);

  const model = tf.sequential({ name: 'mnist_cnn' });
  filters.forEach((f, i) => {
    model.add(
      tf.layers.conv2d({
        filters: f,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: seeds.heNormal(),
        name: `conv_${i + 1}`,
        ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool_${i + 1}` }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  if (dropout > 0) model.add(dropouts.layer(dropout, 'dropout_1'));
  model.add(tf.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'dense' }));
  if (dropout > 0) model.add(dropouts.layer(dropout, 'dropout_2'));
  model.add(classifierOutputLayer(10, seeds));
  return model;
}

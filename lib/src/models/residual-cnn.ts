/**
 * A small residual network for CIFAR-10-sized images (lesson 02): a stem convolution, then stages of residual
 * blocks, each block adding its input back to the output of two conv-BN layers (He et al., 2015). The skip path
 * gives the gradient a short route to every layer, which is what lets deeper stacks train.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-normalization';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';

export interface ResidualCnnOptions {
  /** Channels of each stage; every stage after the first halves the image with a stride-2 block (default [32, 64, 128]). */
  widths?: number[];
  /** Residual blocks per stage (default 1). */
  blocksPerStage?: number;
  /** Dropout before the output layer (default 0.2; 0 turns it off). */
  dropout?: number;
  /** Input image shape (default [32, 32, 3]). */
  inputShape?: [number, number, number];
  /** Number of classes (default 10). */
  classes?: number;
  /** Seed of the weight initialisers (default `courseSeed()`). */
  seed?: number;
}

/** conv3x3 (no bias) followed by batch norm: the unit every block is made of. */
function convBn(x: tf.SymbolicTensor, filters: number, strides: number, name: string, seeds: InitializerSeeds, kernelSize = 3): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seeds.heNormal(), name });
  return batchNormalization({ name: `${name}_bn` }).apply(conv.apply(x)) as tf.SymbolicTensor;
}

/**
 * One residual block: relu(F(x) + shortcut(x)) with F = conv-BN-ReLU-conv-BN. When the block changes the width or
 * the resolution, the shortcut is a 1x1 strided conv-BN (a "projection"), else the identity.
 */
export function residualBlock(x: tf.SymbolicTensor, filters: number, strides: number, name: string, seeds: InitializerSeeds): tf.SymbolicTensor {
  const inputChannels = x.shape[x.shape.length - 1];
  let y = convBn(x, filters, strides, `${name}_conv1`, seeds);
  y = tf.layers.activation({ activation: 'relu', name: `${name}_relu1` }).apply(y) as tf.SymbolicTensor;
  y = convBn(y, filters, 1, `${name}_conv2`, seeds);
  const shortcut = strides === 1 && inputChannels === filters ? x : convBn(x, filters, strides, `${name}_projection`, seeds, 1);
  const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'relu', name: `${name}_out` }).apply(sum) as tf.SymbolicTensor;
}

/** Build an (uncompiled) residual CNN: stem conv-BN-ReLU, residual stages, global average pooling, dropout, softmax. */
export function buildResidualCnn(options: ResidualCnnOptions = {}): tf.LayersModel {
  const { widths = [32, 64, 128], blocksPerStage = 1, dropout = 0.2, inputShape = [32, 32, 3], classes = 10 } = options;
  if (widths.length === 0) throw new Error('widths must list at least one stage');
  widths.forEach((w, i) => assertPositiveInteger(`widths[${i}]`, w));
  assertPositiveInteger('blocksPerStage', blocksPerStage);
  assertDropoutRate('dropout', dropout);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);

  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = convBn(input, widths[0], 1, 'stem', seeds);
  x = tf.layers.activation({ activation: 'relu', name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  widths.forEach((filters, s) => {
    for (let b = 0; b < blocksPerStage; b++) {
      const strides = s > 0 && b === 0 ? 2 : 1;
      x = residualBlock(x, filters, strides, `stage${s + 1}_block${b + 1}`, seeds);
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as tf.SymbolicTensor;
  if (dropout > 0) x = dropouts.layer(dropout, 'dropout').apply(x) as tf.SymbolicTensor;
  const output = classifierOutputLayer(classes, seeds).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'residual_cnn' });
}

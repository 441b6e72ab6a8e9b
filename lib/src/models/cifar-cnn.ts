/** The lesson-02 CIFAR-10 CNN: three conv blocks (conv-BN-ReLU x2, max-pool, dropout), then a classifier. */
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-normalization';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';

export interface CifarCnnOptions {
  /** Filters of each conv block; one block per entry (default [32, 64, 128]). */
  widths?: number[];
  /** Dropout rate after each block and before the output (default 0.2; 0 turns it off). */
  dropout?: number;
  /** Batch normalisation after each convolution (default true). */
  batchNorm?: boolean;
  /** Convolutions per block (default 2). */
  convsPerBlock?: number;
  /** Input image shape (default [32, 32, 3]). */
  inputShape?: [number, number, number];
  /** Number of classes (default 10). */
  classes?: number;
  /** Seed of the weight initialisers and the dropout masks (default `courseSeed()`). */
  seed?: number;
}

/**
 * Build an (uncompiled) CNN for CIFAR-10-sized images: per block, `convsPerBlock` x (conv3x3 'same' [-BN]-ReLU),
 * 2x2 max-pool, dropout; then global average pooling and a softmax layer. With batch norm the convolutions have no
 * bias (BN's beta replaces it).
 */
export function buildCifarCnn(options: CifarCnnOptions = {}): tf.LayersModel {
  const {
    widths = [32, 64, 128],
    dropout = 0.2,
    batchNorm = true,
    convsPerBlock = 2,
    inputShape = [32, 32, 3],
    classes = 10,
  } = options;
  if (widths.length === 0) throw new Error('widths must list at least one block');
  widths.forEach((w, i) => assertPositiveInteger(`widths[${i}]`, w));
  assertPositiveInteger('convsPerBlock', convsPerBlock);
  assertDropoutRate('dropout', dropout);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);

  const model = tf.sequential({ name: 'cifar_cnn' });
  model.add(tf.layers.inputLayer({ inputShape, name: 'image' }));
  widths.forEach((filters, b) => {
    for (let c = 0; c < convsPerBlock; c++) {
      const name = `block${b + 1}_conv${c + 1}`;
      model.add(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: !batchNorm,
          kernelInitializer: seeds.heNormal(),
          name,
        }),
      );
      if (batchNorm) model.add(batchNormalization({ name: `${name}_bn` }));
      model.add(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }));
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }));
    if (dropout > 0) model.add(dropouts.layer(dropout, `block${b + 1}_dropout`));
  });
  model.add(tf.layers.globalAveragePooling2d({ name: 'global_pool' }));
  model.add(classifierOutputLayer(classes, seeds));
  return model;
}

/** Random inputs and labels of the right shapes for each reference model: the benchmark measures speed only. */
import * as tf from '@tensorflow/tfjs';
import { ReferenceModelName, SIAMESE_LENGTH, SIAMESE_VOCAB } from './models';
import { MOBILENET_IMAGE, TRANSFORMER_SIZE } from './lesson-models';

export interface SyntheticSet {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
  size: number;
}

/**
 * How many examples to make for `model` when an epoch may want `wanted`: 224x224 images take 0.6 MB each, so the
 * MobileNet set is 4 batches that epochs cycle through.
 */
export function syntheticSize(model: ReferenceModelName, wanted: number, batchSize: number): number {
  return model === 'mobilenet' ? Math.min(wanted, 4 * batchSize) : wanted;
}

export function syntheticData(model: ReferenceModelName, size: number, seed = 1): SyntheticSet {
  return tf.tidy(() => {
    const classes = (n: number) => tf.oneHot(tf.randomUniform([size], 0, n, 'int32', seed + 1), n).asType('float32');
    const binary = () => tf.randomUniform([size, 1], 0, 2, 'int32', seed + 2).asType('float32');
    const tokens = (vocab: number, length: number, s: number) => tf.randomUniform([size, length], 0, vocab, 'int32', s);
    switch (model) {
      case 'mlp':
        return { xs: tf.randomNormal([size, 784], 0, 1, 'float32', seed), ys: classes(10), size };
      case 'cnn':
        return { xs: tf.randomNormal([size, 28, 28, 1], 0, 1, 'float32', seed), ys: classes(10), size };
      case 'cifar-cnn':
        return { xs: tf.randomNormal([size, 32, 32, 3], 0, 1, 'float32', seed), ys: classes(10), size };
      case 'lstm':
        return { xs: tokens(5000, 40, seed), ys: binary(), size };
      case 'transformer':
        return { xs: paddedTokens(size, TRANSFORMER_SIZE.vocabSize, TRANSFORMER_SIZE.sequenceLength, seed), ys: binary(), size };
      case 'mobilenet':
        return { xs: tf.randomUniform([size, MOBILENET_IMAGE, MOBILENET_IMAGE, 3], -1, 1, 'float32', seed), ys: classes(10), size };
      case 'siamese-bilstm':
        return {
          xs: [tokens(SIAMESE_VOCAB, SIAMESE_LENGTH, seed), tokens(SIAMESE_VOCAB, SIAMESE_LENGTH, seed + 7)],
          ys: binary(),
          size,
        };
    }
  });
}

/** Token ids 1..vocab-1 padded with 0 after a random length from 8 to `length` (as MRPC pairs are). */
function paddedTokens(size: number, vocab: number, length: number, seed: number): tf.Tensor {
  const ids = tf.randomUniform([size, length], 1, vocab, 'int32', seed);
  const lengths = tf.randomUniform([size, 1], 8, length + 1, 'int32', seed + 3);
  return tf.mul(ids, tf.less(tf.range(0, length, 1, 'int32').expandDims(0), lengths).asType('int32'));
}

/** Rows [start, start+count) of every input. */
export function batchOf(xs: tf.Tensor | tf.Tensor[], start: number, count: number): tf.Tensor | tf.Tensor[] {
  const rows = (t: tf.Tensor) => tf.slice(t, start, count);
  return Array.isArray(xs) ? xs.map(rows) : rows(xs);
}

/** Random inputs and labels of the right shapes for each reference model: the benchmark measures speed only. */
import * as tf from '@tensorflow/tfjs';
import { ReferenceModelName, SIAMESE_LENGTH, SIAMESE_VOCAB } from './models';

export interface SyntheticSet {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor;
  size: number;
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
      case 'siamese-bilstm':
        return {
          xs: [tokens(SIAMESE_VOCAB, SIAMESE_LENGTH, seed), tokens(SIAMESE_VOCAB, SIAMESE_LENGTH, seed + 7)],
          ys: binary(),
          size,
        };
    }
  });
}

/** Rows [start, start+count) of every input. */
export function batchOf(xs: tf.Tensor | tf.Tensor[], start: number, count: number): tf.Tensor | tf.Tensor[] {
  const rows = (t: tf.Tensor) => tf.slice(t, start, count);
  return Array.isArray(xs) ? xs.map(rows) : rows(xs);
}

/**
 * Seeded splits and batch iteration shared by the loaders: the same seed gives the same split and the same
 * epoch-by-epoch order, which TF.js's own `shuffle` does not promise across backends.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { courseSeed } from '../config';

/** Indices 0..n-1 split into a shuffled training part and a validation part of `round(n * fraction)` items. */
export function splitIndices(n: number, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationSplit must be in [0, 1), got ${fraction}`);
  const order = new Rng(seed).permutation(n);
  const validationCount = Math.round(n * fraction);
  // Keep each part in file order so that a split changes membership, not the order of what remains.
  const validation = order.slice(0, validationCount).sort();
  const train = order.slice(validationCount).sort();
  return { train, validation };
}

/** Features and int32 labels with the same first dimension. */
export interface LabelledTensors<X extends tf.Tensor = tf.Tensor> {
  x: X;
  y: tf.Tensor1D;
}

export interface BatchOptions {
  batchSize?: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling; epoch k uses the k-th permutation drawn from it. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
}

/**
 * A `tf.data` dataset of `{xs, ys}` batches drawn from in-memory tensors, reshuffled each epoch with a seed.
 * Use with `model.fitDataset(dataset, {epochs})`. The source tensors must stay alive while it is used.
 */
export function tensorDataset<X extends tf.Tensor>(
  data: LabelledTensors<X>,
  options: BatchOptions = {},
): tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor1D }> {
  const batchSize = options.batchSize ?? 32;
  const n = data.y.shape[0];
  if (data.x.shape[0] !== n) throw new Error(`tensorDataset: x has ${data.x.shape[0]} rows, y has ${n}`);
  const rng = new Rng(options.seed ?? courseSeed());
  const shuffle = options.shuffle ?? true;
  return tf.data.generator(function* () {
    const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += batchSize) {
      const idx = tf.tensor1d(order.subarray(start, Math.min(n, start + batchSize)), 'int32');
      const batch = { xs: tf.gather(data.x, idx), ys: tf.gather(data.y, idx) as tf.Tensor1D };
      idx.dispose();
      yield batch;
    }
  });
}

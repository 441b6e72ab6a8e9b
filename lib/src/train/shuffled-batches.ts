/**
 * Seeded mini-batches from in-memory tensors. TF.js's `model.fit` shuffles with `Math.random`, so the same seed
 * would not give the same run; this dataset draws each epoch's order from an `Rng` instead.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine';

/** Features as one tensor, or one tensor per model input (e.g. the two sentences of a pair model). */
export type FeatureTensors = tf.Tensor | tf.Tensor[];

/** Number of examples, after checking that every tensor has the same first dimension. */
export function exampleCount(x: FeatureTensors, y: tf.Tensor): number {
  const all = [...(Array.isArray(x) ? x : [x]), y];
  const n = all[0].shape[0];
  for (const t of all) {
    if (t.shape[0] !== n) throw new Error(`features and labels differ in length: ${all.map((a) => a.shape[0]).join(' vs ')}`);
  }
  if (n === 0) throw new Error('cannot train on zero examples');
  return n;
}

/**
 * An endless dataset of `{xs, ys}` batches: epoch after epoch, each a fresh permutation (or the original order
 * when `shuffle` is false), the last batch of an epoch possibly smaller. Use with `batchesPerEpoch =
 * ceil(n / batchSize)`. Tensors are made lazily, one batch at a time, and the consumer disposes them.
 */
export function shuffledBatches(
  x: FeatureTensors,
  y: tf.Tensor,
  options: { batchSize: number; seed: number; shuffle?: boolean },
): tf.data.Dataset<tf.TensorContainer> {
  const n = exampleCount(x, y);
  const { batchSize, shuffle = true } = options;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const rng = new Rng(options.seed);
  function* batches(): Iterator<tf.TensorContainer> {
    for (;;) {
      const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
      for (let start = 0; start < n; start += batchSize) {
        const picked = order.subarray(start, Math.min(n, start + batchSize));
        yield tf.tidy(() => {
          const indices = tf.tensor1d(picked, 'int32');
          const xs = Array.isArray(x) ? x.map((t) => tf.gather(t, indices)) : tf.gather(x, indices);
          return { xs, ys: tf.gather(y, indices) };
        });
      }
    }
  }
  return tf.data.generator(batches as unknown as () => Iterator<tf.TensorContainer>);
}

/** Batches per epoch for `n` examples. */
export function batchesPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

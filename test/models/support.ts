/** Shared helpers for the model and training tests: backend set-up, leak checks, short training runs. */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../lib/src/engine';

/** Use the pure-JS cpu backend (always has every training kernel). */
export async function useCpuBackend(): Promise<void> {
  await initEngine({ backend: 'cpu', verbose: false });
}

/** Run `fn` and assert it left no tensors behind. */
export async function assertNoTensorLeak<T>(fn: () => Promise<T> | T, what = 'the operation'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  assert.equal(after, before, `${what} leaked ${after - before} tensors`);
  return result;
}

/**
 * Train `steps` batches on the same data with `trainOnBatch`, after one warm-up step that creates the optimiser's
 * state, and return the first and last loss. Asserts the steps leak no tensors.
 */
export async function trainBriefly(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  y: tf.Tensor,
  steps: number,
): Promise<{ first: number; last: number }> {
  const lossOf = (out: number | number[]) => (Array.isArray(out) ? out[0] : out);
  const first = lossOf(await model.trainOnBatch(x, y));
  let last = first;
  await assertNoTensorLeak(async () => {
    for (let i = 0; i < steps; i++) last = lossOf(await model.trainOnBatch(x, y));
  }, `${steps} training steps of ${model.name}`);
  return { first, last };
}

/** A deterministic pseudo-random float tensor. */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.randomUniform(shape, -scale, scale, 'float32', seed);
}

/** Deterministic token ids in [1, vocab) with trailing padding (0) so row i has `lengths[i]` real tokens. */
export function paddedIds(lengths: number[], time: number, vocab: number, seed: number): tf.Tensor2D {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) % (vocab - 1)) + 1;
  const values = lengths.flatMap((len) => Array.from({ length: time }, (_, t) => (t < len ? next() : 0)));
  return tf.tensor2d(values, [lengths.length, time], 'int32');
}

/** Assert two arrays of numbers agree within `tolerance`. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Save a model to memory and load it back (the custom layers must be registered). */
export async function saveAndReload(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(artifacts, 'nothing was saved');
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

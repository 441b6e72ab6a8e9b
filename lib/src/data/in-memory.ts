/**
 * A learner's own examples, already in memory (images they decoded, feature rows they computed), as the tensors the
 * course's loaders return: features `x`, class ids `y`, a seeded validation split, and the class names.
 */
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '../config';
import { LabelledTensors, splitIndices } from './batching';
import { classIds } from './class-labels';

/** Examples as nested arrays (`[n][h][w]`, `[n][features]`, ...) or as flat values with their shape `[n, ...]`. */
export type ExampleValues = number[][] | number[][][] | number[][][][] | { values: ArrayLike<number>; shape: number[] };

export interface InMemoryOptions {
  /** Fraction held out for validation, in [0, 1) (default 0). */
  validationSplit?: number;
  /** Seed of the split (default `courseSeed()`). */
  seed?: number;
  /** Multiply the values by this, e.g. 1/255 for 0-255 pixels (default 1). */
  scale?: number;
}

export interface InMemoryData {
  train: LabelledTensors;
  validation: LabelledTensors;
  /** Name of each class id (the label values, sorted, unless they were already ids 0..k-1). */
  classNames: string[];
}

/** Tensors from in-memory examples and their labels (numbers or names). The caller disposes the tensors. */
export function datasetFromArrays(examples: ExampleValues, labels: ArrayLike<string | number>, options: InMemoryOptions = {}): InMemoryData {
  const all = Array.isArray(examples)
    ? tf.tensor(examples as number[][], undefined, 'float32')
    : tf.tensor(Float32Array.from(examples.values), examples.shape, 'float32');
  const n = all.shape[0] ?? 0;
  if (n !== labels.length) {
    all.dispose();
    throw new Error(`datasetFromArrays: ${n} examples but ${labels.length} labels; give one label per example`);
  }
  const { ids, classNames } = classIds(labels);
  const split = splitIndices(n, options.validationSplit ?? 0, options.seed ?? courseSeed());
  const part = (indices: Int32Array): LabelledTensors =>
    tf.tidy(() => {
      const at = tf.tensor1d(indices, 'int32');
      const x = tf.gather(all, at);
      return { x: options.scale === undefined ? x : tf.mul(x, options.scale), y: tf.gather(tf.tensor1d(ids, 'int32'), at) as tf.Tensor1D };
    });
  const result = { train: part(split.train), validation: part(split.validation), classNames };
  all.dispose();
  return result;
}

/**
 * Synthetic sequence-to-sequence tasks of the same length (reverse, sort) for lesson 05's Transformer encoder: each
 * output position has to look at a different input position, so a model only solves them by attending to the right
 * token. Seeded, and the test sequences never occur in the training split.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { courseSeed } from '../config';

/** `reverse`: output i is input `length - 1 - i`. `sort`: the input's tokens in ascending order. */
export type SequenceTaskName = 'reverse' | 'sort';

export const SEQUENCE_TASKS: readonly SequenceTaskName[] = ['reverse', 'sort'];

export interface SequenceTaskOptions {
  task: SequenceTaskName;
  /** Tokens per sequence (default 8). */
  length?: number;
  /** Number of distinct symbols; token ids run from 1 to `symbols` (0 stays free for padding). Default 10. */
  symbols?: number;
  /** Training sequences (default 4000). */
  train?: number;
  /** Held-out test sequences, none of them in the training split (default 1000). */
  test?: number;
  /** Seed of the sequences (default `courseSeed()`). */
  seed?: number;
}

/** One split: `x` and `y` are `[n, length]` int32 token ids; the same ids as plain arrays in `inputs`/`targets`. */
export interface SequenceTaskSplit {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  inputs: Int32Array;
  targets: Int32Array;
  size: number;
}

export interface SequenceTaskData {
  task: SequenceTaskName;
  length: number;
  symbols: number;
  /** Embedding rows a model needs: `symbols + 1` (id 0 is padding and never occurs). */
  vocabSize: number;
  train: SequenceTaskSplit;
  test: SequenceTaskSplit;
}

/** The target sequence of `input` for `task`. */
export function sequenceTaskTarget(task: SequenceTaskName, input: ArrayLike<number>): number[] {
  const tokens = Array.from(input);
  if (task === 'reverse') return tokens.reverse();
  if (task === 'sort') return tokens.sort((a, b) => a - b);
  throw new Error(`unknown sequence task '${task as string}'; use one of ${SEQUENCE_TASKS.join(', ')}`);
}

/** Make the training and test splits of a synthetic task; the same options give the same data. */
export function makeSequenceTask(options: SequenceTaskOptions): SequenceTaskData {
  const { task, length = 8, symbols = 10, train = 4000, test = 1000 } = options;
  if (!SEQUENCE_TASKS.includes(task)) throw new Error(`unknown sequence task '${task as string}'; use one of ${SEQUENCE_TASKS.join(', ')}`);
  for (const [name, value, least] of [['length', length, 2], ['symbols', symbols, 2], ['train', train, 1], ['test', test, 1]] as const) {
    if (!Number.isInteger(value) || value < least) throw new Error(`makeSequenceTask: ${name} must be an integer >= ${least}, got ${value}`);
  }
  const distinct = Math.pow(symbols, length);
  // Drawing without repeats slows down as the pool runs out; half of all sequences is plenty for a lesson.
  if (train + test > distinct / 2) {
    throw new Error(`makeSequenceTask: ${train + test} sequences asked, but only ${distinct} distinct ones of length ${length} over ${symbols} symbols`);
  }
  const rng = new Rng(options.seed ?? courseSeed());
  const seen = new Set<string>();
  const draw = (count: number): SequenceTaskSplit => {
    const inputs = new Int32Array(count * length);
    const targets = new Int32Array(count * length);
    for (let n = 0; n < count; ) {
      const sequence = Array.from({ length }, () => 1 + rng.int(symbols));
      const key = sequence.join(',');
      if (seen.has(key)) continue; // unique within and across splits, so the test set is truly held out
      seen.add(key);
      inputs.set(sequence, n * length);
      targets.set(sequenceTaskTarget(task, sequence), n * length);
      n++;
    }
    return {
      x: tf.tensor2d(inputs, [count, length], 'int32'),
      y: tf.tensor2d(targets, [count, length], 'int32'),
      inputs,
      targets,
      size: count,
    };
  };
  const trainSplit = draw(train);
  return { task, length, symbols, vocabSize: symbols + 1, train: trainSplit, test: draw(test) };
}

/** Score a per-position classifier (output `[n, time, classes]`): accuracy per token, per whole sequence, per position. */
import * as tf from '@tensorflow/tfjs';

export interface TaggerEvaluation {
  /** Predicted class id of every position, row by row (`n * time` values). */
  predictions: Int32Array;
  /** Fraction of positions predicted right. */
  tokenAccuracy: number;
  /** Fraction of sequences with every position right. */
  sequenceAccuracy: number;
  /** Accuracy at each position 0..time-1. */
  accuracyByPosition: number[];
  sequences: number;
}

/** Predict `x` (ids `[n, time]`) and compare the arg-max class at each position with `y` (ids `[n, time]`). */
export async function evaluateTagger(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: { batchSize?: number } = {}): Promise<TaggerEvaluation> {
  const output = model.predict(x, { batchSize: options.batchSize ?? 256 }) as tf.Tensor;
  if (output.rank !== 3) {
    output.dispose();
    throw new Error(`evaluateTagger expects an output [n, time, classes], got rank ${output.rank}`);
  }
  const [n, time] = output.shape;
  if (y.shape[0] !== n || y.shape[1] !== time) {
    output.dispose();
    throw new Error(`evaluateTagger: labels [${y.shape}] do not match the output [${output.shape}]`);
  }
  const ids = tf.tidy(() => tf.cast(tf.argMax(output, -1), 'int32'));
  output.dispose();
  const predictions = (await ids.data()) as Int32Array;
  ids.dispose();
  const truth = await y.data();
  let right = 0;
  let wholeRight = 0;
  const rightAt = new Array<number>(time).fill(0);
  for (let i = 0; i < n; i++) {
    let all = true;
    for (let t = 0; t < time; t++) {
      const ok = predictions[i * time + t] === truth[i * time + t];
      if (ok) {
        right++;
        rightAt[t]++;
      } else all = false;
    }
    if (all) wholeRight++;
  }
  return {
    predictions,
    tokenAccuracy: right / (n * time),
    sequenceAccuracy: wholeRight / n,
    accuracyByPosition: rightAt.map((r) => r / n),
    sequences: n,
  };
}

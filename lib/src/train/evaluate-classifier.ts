/** Score a trained classifier on held-out data: predictions in batches, then {@link classificationReport}. */
import * as tf from '@tensorflow/tfjs';
import { ClassificationReport, classificationReport } from './classification-metrics';
import { FeatureTensors } from './shuffled-batches';

export interface EvaluateOptions {
  /** Prediction batch size (default 256). */
  batchSize?: number;
  /** Decision threshold of a one-unit (sigmoid) output (default 0.5). */
  threshold?: number;
}

export interface ClassifierEvaluation extends ClassificationReport {
  /** Predicted class id of each example. */
  predictions: Int32Array;
  /**
   * Mean cross-entropy of the true class, -mean(log p(true class)) with p clipped to [1e-7, 1] (binary output: p or
   * 1 - p): the data term of the training loss, without penalties such as L2. For models that output probabilities.
   */
  loss: number;
}

/**
 * Predict `x` and compare with `y`: one-hot rows `[n, k]`, class ids `[n]`/`[n, 1]`, or a plain array of ids.
 * A one-unit output is a binary classifier (`p >= threshold` -> class 1); otherwise the arg-max class is taken.
 */
export async function evaluateClassifier(
  model: tf.LayersModel,
  x: FeatureTensors,
  y: tf.Tensor | ArrayLike<number>,
  options: EvaluateOptions = {},
): Promise<ClassifierEvaluation> {
  const { batchSize = 256, threshold = 0.5 } = options;
  const output = model.predict(x, { batchSize }) as tf.Tensor;
  try {
    return await scoreClassifierOutput(output, await labelIds(y), threshold);
  } finally {
    output.dispose();
  }
}

/**
 * The evaluation of a classifier's `output` (class probabilities [n, k], or one sigmoid unit [n]/[n, 1]) against
 * class ids: predicted classes, the classification report and the true-class cross-entropy. `output` stays the caller's.
 */
export async function scoreClassifierOutput(output: tf.Tensor, truth: ArrayLike<number>, threshold = 0.5): Promise<ClassifierEvaluation> {
  const units = output.rank === 1 ? 1 : output.shape[output.rank - 1];
  return scoreProbabilities(await output.data(), units, truth, threshold);
}

/**
 * The same evaluation from the probabilities as numbers: `values` holds `[n, units]` row by row, or one sigmoid
 * probability per example (`units` 1), for code that has them in hand (the sentence-pair fine-tuning loop).
 */
export function scoreProbabilities(values: ArrayLike<number>, units: number, truth: ArrayLike<number>, threshold = 0.5): ClassifierEvaluation {
  const n = truth.length;
  if (values.length !== n * units) throw new Error(`${values.length} probabilities for ${n} examples of ${units} unit(s)`);
  const predictions = new Int32Array(n);
  const clipped = (p: number) => Math.min(Math.max(p, 1e-7), 1);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (units === 1) {
      predictions[i] = values[i] >= threshold ? 1 : 0;
      loss -= Math.log(clipped(truth[i] === 1 ? values[i] : 1 - values[i]));
      continue;
    }
    let best = 0;
    for (let k = 1; k < units; k++) if (values[i * units + k] > values[i * units + best]) best = k;
    predictions[i] = best;
    loss -= Math.log(clipped(values[i * units + truth[i]]));
  }
  return { ...classificationReport(truth, predictions, units === 1 ? 2 : units), predictions, loss: n === 0 ? NaN : loss / n };
}

/** Class ids from one-hot rows, an id tensor, or a plain array. */
async function labelIds(y: tf.Tensor | ArrayLike<number>): Promise<ArrayLike<number>> {
  if (!(y instanceof tf.Tensor)) return y;
  const last = y.shape[y.shape.length - 1];
  const ids = tf.tidy(() => (y.rank === 2 && last > 1 ? tf.argMax(y, -1) : tf.round(tf.reshape(y, [-1]))));
  const values = await ids.data();
  ids.dispose();
  return values;
}

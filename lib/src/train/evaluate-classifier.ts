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
  const units = output.shape[output.shape.length - 1];
  const oneUnit = output.rank === 1 || units === 1;
  const ids = tf.tidy(() =>
    oneUnit ? tf.cast(tf.greaterEqual(tf.reshape(output, [-1]), threshold), 'int32') : tf.cast(tf.argMax(output, -1), 'int32'),
  );
  const predictions = (await ids.data()) as Int32Array;
  ids.dispose();
  const loss = await trueClassCrossEntropy(output, truth);
  return { ...classificationReport(truth, predictions, oneUnit ? 2 : units), predictions, loss };
}

/** -mean(log p(true class)) of class probabilities [n, k] (or one sigmoid unit [n]/[n, 1]) and class ids. */
async function trueClassCrossEntropy(output: tf.Tensor, truth: ArrayLike<number>): Promise<number> {
  const loss = tf.tidy(() => {
    const ids = tf.tensor1d(Array.from(truth), 'int32');
    const units = output.shape[output.shape.length - 1];
    const ofTrueClass =
      output.rank === 1 || units === 1
        ? tf.where(tf.equal(ids, 1), tf.reshape(output, [-1]), tf.sub(1, tf.reshape(output, [-1])))
        : tf.sum(tf.mul(tf.oneHot(ids, units), output), 1);
    return tf.neg(tf.mean(tf.log(tf.clipByValue(ofTrueClass, 1e-7, 1))));
  });
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
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

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
  let predictions: Int32Array;
  let numClasses: number;
  try {
    const units = output.shape[output.shape.length - 1];
    numClasses = output.rank === 1 || units === 1 ? 2 : units;
    const ids = tf.tidy(() =>
      numClasses === 2 && (output.rank === 1 || units === 1)
        ? tf.cast(tf.greaterEqual(tf.reshape(output, [-1]), threshold), 'int32')
        : tf.cast(tf.argMax(output, -1), 'int32'),
    );
    predictions = (await ids.data()) as Int32Array;
    ids.dispose();
  } finally {
    output.dispose();
  }
  const truth = await labelIds(y);
  return { ...classificationReport(truth, predictions, numClasses), predictions };
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

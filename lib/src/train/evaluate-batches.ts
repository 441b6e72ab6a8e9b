/**
 * Score a classifier on data that arrives in batches (e.g. a whole CIFAR-10 split, which would take 123 MB as one
 * float tensor): predictions batch by batch, then the same report as {@link evaluateClassifier}.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationReport } from './classification-metrics';
import { ClassifierEvaluation } from './evaluate-classifier';

/** One batch of images (or features) and class ids; the caller's generator makes it, this function disposes it. */
export interface LabelledBatch {
  x: tf.Tensor;
  y: tf.Tensor;
}

export interface BatchEvaluation extends ClassifierEvaluation {
  /** Class probabilities of every example, row by row ([count * classes]). */
  probabilities: Float32Array;
  /** Mean cross-entropy of the true class. */
  loss: number;
}

/** Predict every batch, dispose it, and compare the arg-max class with the labels. */
export async function evaluateClassifierOnBatches(model: tf.LayersModel, batches: Iterable<LabelledBatch>): Promise<BatchEvaluation> {
  const probabilities: Float32Array[] = [];
  const labels: Int32Array[] = [];
  let classes = 0;
  for (const { x, y } of batches) {
    try {
      const output = tf.tidy(() => model.predict(x) as tf.Tensor);
      classes = output.shape[output.shape.length - 1];
      if (output.rank !== 2 || classes < 2) throw new Error(`evaluateClassifierOnBatches needs class probabilities [batch, classes], got [${output.shape}]`);
      probabilities.push((await output.data()) as Float32Array);
      output.dispose();
      labels.push(Int32Array.from(await y.data()));
    } finally {
      tf.dispose([x, y]);
    }
  }
  const count = labels.reduce((n, l) => n + l.length, 0);
  if (count === 0) throw new Error('evaluateClassifierOnBatches: the batches were empty');
  const allProbabilities = new Float32Array(count * classes);
  const truth = new Int32Array(count);
  let offset = 0;
  labels.forEach((l, b) => {
    allProbabilities.set(probabilities[b], offset * classes);
    truth.set(l, offset);
    offset += l.length;
  });
  const predictions = new Int32Array(count);
  let lossSum = 0;
  for (let i = 0; i < count; i++) {
    const row = allProbabilities.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    predictions[i] = best;
    lossSum -= Math.log(Math.max(row[truth[i]], 1e-7));
  }
  return { ...classificationReport(truth, predictions, classes), predictions, probabilities: allProbabilities, loss: lossSum / count };
}

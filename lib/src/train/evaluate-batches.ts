/**
 * Score a classifier on data that arrives in batches (e.g. a whole CIFAR-10 split, which would take 123 MB as one
 * float tensor): predictions batch by batch, then the report of {@link evaluateClassifier}, from the same scoring function.
 */
import * as tf from '@tensorflow/tfjs';
import { ClassifierEvaluation, scoreClassifierOutput } from './evaluate-classifier';

/** One batch of images (or features) and class ids; the caller's generator makes it, this function disposes it. */
export interface LabelledBatch {
  x: tf.Tensor;
  y: tf.Tensor;
}

export interface BatchEvaluation extends ClassifierEvaluation {
  /** Class probabilities of every example, row by row ([count * classes]). */
  probabilities: Float32Array;
}

/** Predict every batch, dispose it, then score all the probabilities as {@link evaluateClassifier} does. */
export async function evaluateClassifierOnBatches(model: tf.LayersModel, batches: Iterable<LabelledBatch>): Promise<BatchEvaluation> {
  const probabilities: Float32Array[] = [];
  const labels: Int32Array[] = [];
  let classes = 0;
  for (const { x, y } of batches) {
    const output = tf.tidy(() => model.predict(x) as tf.Tensor);
    try {
      classes = output.shape[output.shape.length - 1];
      if (output.rank !== 2 || classes < 2) throw new Error(`evaluateClassifierOnBatches needs class probabilities [batch, classes], got [${output.shape}]`);
      probabilities.push((await output.data()) as Float32Array);
      labels.push(Int32Array.from(await y.data()));
    } finally {
      tf.dispose([x, y, output]);
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
  const output = tf.tensor2d(allProbabilities, [count, classes]);
  try {
    return { ...(await scoreClassifierOutput(output, truth)), probabilities: allProbabilities };
  } finally {
    output.dispose();
  }
}

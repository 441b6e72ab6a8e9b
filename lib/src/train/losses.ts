/**
 * Cross-entropy losses for classifiers whose output layer gives probabilities (softmax), per example, computed as
 * tf.layers computes them (the same normalisation and clipping), with the forward pass and the gradient each as one
 * kernel on wasm and cpu (the `classifierCrossEntropy` op); other backends run TF.js's ops.
 * `compileClassifier` uses them.
 */
import * as tf from '@tensorflow/tfjs';
import { classifierCrossEntropy } from '../ops';

/** Loss per example for one-hot (or probability) label rows `yTrue` [..., classes]. */
export function categoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return classifierCrossEntropy(yTrue, yPred, false);
}

/** Loss per example for integer class ids `yTrue` ([...] or [..., 1]). */
export function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return classifierCrossEntropy(yTrue, yPred, true);
}

/**
 * Classifier cross-entropy as one differentiable op: the forward pass and the gradient each one kernel where the
 * backend has the course's (wasm and cpu, see kernels/classifier-loss-kernels.ts), TF.js's ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { CROSS_ENTROPY, CROSS_ENTROPY_GRAD, hasKernel } from '../kernels';

/**
 * Cross-entropy per example of predicted class probabilities `yPred` [..., classes] against one-hot rows or (`sparse`)
 * class ids `yTrue`, with the same normalisation and clipping as tf.layers.
 */
export function classifierCrossEntropy(yTrue: tf.Tensor, yPred: tf.Tensor, sparse: boolean): tf.Tensor {
  if (yPred.rank < 2) throw new Error(`cross-entropy expects predictions [..., classes], got shape [${yPred.shape}]`);
  return tf.tidy(() => {
    const classes = yPred.shape[yPred.rank - 1];
    const leading = yPred.shape.slice(0, -1);
    const probs = yPred.rank === 2 ? yPred : tf.reshape(yPred, [-1, classes]);
    const labels = sparse ? tf.reshape(yTrue, [-1]) : tf.reshape(yTrue, [-1, classes]);
    const perRow = hasKernel(CROSS_ENTROPY) ? withKernels(probs, labels, sparse) : withOps(probs, labels, sparse);
    return yPred.rank === 2 ? perRow : tf.reshape(perRow, leading);
  });
}

function withKernels(probs: tf.Tensor, labels: tf.Tensor, sparse: boolean): tf.Tensor {
  const attrs = { sparse };
  // Labels are not differentiated, so they are not an input of the custom gradient; saved, they outlive this call.
  const loss = tf.customGrad(((p: tf.Tensor, save: tf.GradSaveFunc) => {
    save([p, labels]);
    return {
      value: tf.engine().runKernel(CROSS_ENTROPY, { probs: p, labels }, attrs) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [savedProbs, savedLabels]: tf.Tensor[]) =>
        tf.engine().runKernel(CROSS_ENTROPY_GRAD, { probs: savedProbs, labels: savedLabels, dy }, attrs) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return loss(probs);
}

/** tf.layers' own formulation (the reference the kernels are tested against). */
function withOps(probs: tf.Tensor, labels: tf.Tensor, sparse: boolean): tf.Tensor {
  const eps = tf.backend().epsilon();
  if (!sparse) return tf.metrics.categoricalCrossentropy(labels, probs);
  const clipped = tf.clipByValue(probs, eps, 1 - eps);
  const oneHot = tf.oneHot(tf.cast(tf.floor(tf.cast(labels, 'float32')), 'int32'), probs.shape[1] as number);
  return tf.metrics.categoricalCrossentropy(oneHot, clipped);
}

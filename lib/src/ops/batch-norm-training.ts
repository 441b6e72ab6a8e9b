/**
 * Batch normalisation in training as one differentiable op with the closed-form gradient.
 *
 * Why: TF.js normalises a training batch with tf.moments + tf.batchNorm and differentiates through each piece
 * (the mean, the squared difference, the variance's mean, the normalisation): about 18 full-size element-wise
 * kernels per layer backward, many of them broadcasting. The closed form needs 8 passes:
 *   x^ = (x - mean) / sqrt(var + eps),   dbeta = sum dy,   dgamma = sum dy x^,
 *   dx = gamma / sqrt(var + eps) * (dy - dbeta / n - x^ dgamma / n),
 * sums over every axis but the last (n elements per channel). The statistics and the gradient are one kernel each
 * where the backend has the course's (wasm: kernels/batch-norm-kernels.ts), TF.js's ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_MOMENTS, BATCH_NORM_GRAD, hasKernel } from '../kernels';

export interface BatchNormInTraining {
  /** The normalised batch, scaled by gamma and shifted by beta. */
  y: tf.Tensor;
  /** The batch's mean and (biased) variance per channel: what the moving averages follow. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Normalise `x` [..., channels] over every axis but the last with the batch's own statistics. */
export function batchNormInTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormInTraining {
  const channels = x.shape[x.rank - 1];
  if (x.rank < 2) throw new Error(`batch normalisation expects [..., channels], got shape [${x.shape}]`);
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels) throw new Error(`batch normalisation: ${name} has shape [${t.shape}], expected [${channels}]`);
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / channels;
  const { mean, variance } = batchMoments(x, axes);
  // mean and variance are saved, not inputs: their dependence on x is inside the closed form.
  const normalise = tf.customGrad(((input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input, scale, mean, variance]);
    return {
      value: tf.batchNorm(input, mean, variance, offset, scale, epsilon),
      gradFunc: (dy: tf.Tensor, [savedX, savedGamma, savedMean, savedVariance]: tf.Tensor[]) => {
        if (hasKernel(BATCH_NORM_GRAD)) {
          const inputs = { dy, x: savedX, mean: savedMean, variance: savedVariance, scale: savedGamma };
          return tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { varianceEpsilon: epsilon }) as tf.Tensor[];
        }
        const normalised = tf.batchNorm(savedX, savedMean, savedVariance, undefined, undefined, epsilon);
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, normalised), axes);
        const slope = tf.mul(savedGamma, tf.rsqrt(tf.add(savedVariance, epsilon)));
        const centred = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(normalised, tf.div(dGamma, count)));
        return [tf.mul(centred, slope), dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return { y: normalise(x, gamma, beta), mean, variance };
}

/** The batch's mean and variance per channel (not differentiated: the closed form above accounts for them). */
function batchMoments(x: tf.Tensor, axes: number[]): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (hasKernel(BATCH_MOMENTS)) {
    const [mean, variance] = tf.engine().runKernel(BATCH_MOMENTS, { x }, {}) as tf.Tensor1D[];
    return { mean, variance };
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, axes);
    return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

/**
 * Layer normalisation over the last axis as one differentiable op with the closed-form gradient:
 *   x^ = (x - mean) / sqrt(var + eps)   (mean and variance of each row, over the last axis),  y = x^ gamma + beta,
 *   dx = (g - mean(g) - x^ mean(g x^)) / sqrt(var + eps)  with g = dy gamma (means over each row),
 *   dgamma = sum of dy x^,  dbeta = sum of dy   (over all rows).
 * Why: tf.layers.layerNormalization tiles its statistics, gamma and beta to the input's full shape (a workaround in
 * TF.js for batchNorm's gradients), so every call materialises four full-size tensors; this op broadcasts instead.
 */
import * as tf from '@tensorflow/tfjs';

export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T {
  const width = x.shape[x.rank - 1];
  if (x.rank < 1) throw new Error('layer normalisation expects [..., features]');
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.size !== width) throw new Error(`layer normalisation: ${name} has shape [${t.shape}], expected [${width}]`);
  }
  const rows = x.shape.slice(0, -1).map((_, i) => i);
  const normalise = tf.customGrad(((input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(input, -1, true);
    const centred = tf.sub(input, mean);
    const inverseStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon));
    const normalised = tf.mul(centred, inverseStd);
    save([normalised, inverseStd, scale]);
    return {
      value: tf.add(tf.mul(normalised, scale), offset),
      gradFunc: (dy: tf.Tensor, [savedNormalised, savedInverseStd, savedScale]: tf.Tensor[]) => {
        const g = tf.mul(dy, savedScale);
        const centredG = tf.sub(g, tf.mean(g, -1, true));
        const projection = tf.mul(savedNormalised, tf.mean(tf.mul(g, savedNormalised), -1, true));
        const dx = tf.mul(tf.sub(centredG, projection), savedInverseStd);
        const dGamma = tf.reshape(tf.sum(tf.mul(dy, savedNormalised), rows), [width]);
        const dBeta = tf.reshape(tf.sum(dy, rows), [width]);
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return normalise(x, tf.reshape(gamma, [width]), tf.reshape(beta, [width])) as T;
}

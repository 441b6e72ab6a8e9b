/**
 * Helpers for lessons that write the training loop by hand: one optimiser step, or plain gradient descent
 * written out (w <- w - lr * dL/dw), each returning the loss as a number and leaving no tensors behind.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * One step of `optimizer` on `lossFn` (which must return a scalar tensor); `variables` defaults to every trainable
 * variable the loss touches. Returns the loss before the update.
 */
export function trainStep(optimizer: tf.Optimizer, lossFn: () => tf.Scalar, variables?: tf.Variable[]): number {
  const loss = optimizer.minimize(lossFn, true, variables);
  if (loss === null) throw new Error('the optimizer returned no loss');
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/** One step of plain gradient descent on `variables`, done by hand. Returns the loss before the update. */
export function sgdStep(variables: tf.Variable[], lossFn: () => tf.Scalar, learningRate: number): number {
  if (variables.length === 0) throw new Error('sgdStep needs at least one variable');
  const { value, grads } = tf.variableGrads(lossFn, variables);
  try {
    tf.tidy(() => {
      for (const v of variables) {
        const g = grads[v.name];
        if (g === undefined) throw new Error(`the loss does not depend on variable '${v.name}'`);
        v.assign(tf.sub(v, tf.mul(g, learningRate)));
      }
    });
    return value.dataSync()[0];
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

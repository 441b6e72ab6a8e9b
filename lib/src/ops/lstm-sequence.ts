/**
 * `lstmSequence`: a whole LSTM layer pass as one differentiable op.
 *
 * Forward: one matrix product x W + b for all steps, then the recurrence in one kernel call. Backward: one kernel call
 * for the recurrence (back-propagation through time), then three products for dW, dU and dx. On backends without the
 * kernels (e.g. native TensorFlow; `initEngine` registers them for wasm and cpu) the same maths runs op by op and
 * autodiff provides the gradient. The plumbing shared with `gruSequence` is in recurrent-sequence.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_BACKWARD_KERNEL, LSTM_FORWARD_KERNEL, type LstmGateActivation } from '../kernels';
import { type RecurrentCell, type RecurrentWeights, runRecurrentSequence } from './recurrent-sequence';

export interface LstmWeights extends RecurrentWeights {
  /** [inputDim, 4*units], gate order i, f, c, o (as tf.layers.lstm). */
  kernel: tf.Tensor2D;
  /** [units, 4*units]. */
  recurrentKernel: tf.Tensor2D;
  /** [4*units], or undefined for no bias. */
  bias?: tf.Tensor1D;
}

/**
 * Hidden states of every step, [batch, time, units], for inputs [batch, time, inputDim]; initial state zero,
 * tanh cell activation, `recurrentActivation` for the gates.
 */
export function lstmSequence(
  x: tf.Tensor3D,
  weights: LstmWeights,
  recurrentActivation: LstmGateActivation = 'hardSigmoid',
): tf.Tensor3D {
  return runRecurrentSequence(LSTM_CELL, x, weights, recurrentActivation);
}

/** The LSTM's kernels; every gate block multiplies h_{t-1} itself, so the shared product gives all of dU. */
const LSTM_CELL: RecurrentCell = {
  opName: 'lstmSequence',
  cellName: 'LSTM',
  gateCount: 4,
  forwardKernel: LSTM_FORWARD_KERNEL,
  forward(xw, recurrentKernel, attrs) {
    const [h, c, tanhC, gates] = tf.engine().runKernel(LSTM_FORWARD_KERNEL, { xw, recurrentKernel }, attrs) as tf.Tensor[];
    return { h, saved: [recurrentKernel, c, tanhC, gates] };
  },
  backward(dy, _h, [recurrentKernel, c, tanhC, gates], attrs) {
    return tf.engine().runKernel(
      LSTM_BACKWARD_KERNEL,
      { dh: dy, gates, c, tanhC, recurrentKernelT: tf.transpose(recurrentKernel) },
      attrs,
    ) as tf.Tensor;
  },
  recurrentKernelGradient: (hPrevRows) => hPrevRows,
  recurrenceWithOps,
};

/** The same recurrence with ordinary ops: the reference, and the path for backends without the kernels. */
function recurrenceWithOps(xw: tf.Tensor3D, recurrentKernel: tf.Tensor2D, recurrentActivation: LstmGateActivation): tf.Tensor3D {
  const [batch, time, units4] = xw.shape;
  const units = units4 / 4;
  const act = (z: tf.Tensor) =>
    recurrentActivation === 'sigmoid' ? tf.sigmoid(z) : tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const steps: tf.Tensor2D[] = [];
  const perStep = tf.unstack(xw, 1) as tf.Tensor2D[];
  for (let t = 0; t < time; t++) {
    const z = tf.add(perStep[t], tf.matMul(h, recurrentKernel));
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    c = tf.add(tf.mul(act(zf), c), tf.mul(act(zi), tf.tanh(zc)));
    h = tf.mul(act(zo), tf.tanh(c));
    steps.push(h);
  }
  return tf.stack(steps, 1) as tf.Tensor3D;
}

/**
 * `gruSequence`: a whole GRU layer pass as one differentiable op (the GRU twin of `lstmSequence`).
 *
 * Forward: one matrix product x W + b for all steps, then the recurrence in one kernel call (gru-kernels.ts, which
 * states the maths: TF.js's GRUCell, reset gate applied before the recurrent product). Backward: one kernel call for
 * the recurrence, then products for dW, dU and dx. On backends without the kernels (e.g. native TensorFlow;
 * `initEngine` registers them for wasm and cpu) the same maths runs op by op and autodiff provides the gradient.
 * The plumbing shared with `lstmSequence` is in recurrent-sequence.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { GRU_BACKWARD_KERNEL, GRU_FORWARD_KERNEL, type GruGateActivation } from '../kernels';
import { type RecurrentCell, type RecurrentWeights, runRecurrentSequence } from './recurrent-sequence';

export interface GruWeights extends RecurrentWeights {
  /** [inputDim, 3*units], gate order z, r, h (as tf.layers.gru). */
  kernel: tf.Tensor2D;
  /** [units, 3*units]. */
  recurrentKernel: tf.Tensor2D;
  /** [3*units], or undefined for no bias. */
  bias?: tf.Tensor1D;
}

/**
 * Hidden states of every step, [batch, time, units], for inputs [batch, time, inputDim]; initial state zero,
 * tanh candidate activation, `recurrentActivation` for the gates (default hardSigmoid, as tf.layers.gru).
 */
export function gruSequence(
  x: tf.Tensor3D,
  weights: GruWeights,
  recurrentActivation: GruGateActivation = 'hardSigmoid',
): tf.Tensor3D {
  return runRecurrentSequence(GRU_CELL, x, weights, recurrentActivation);
}

/**
 * The GRU's kernels. The candidate block multiplies r ⊙ h_{t-1}, not h_{t-1}: of the shared product's dU rows only
 * the gates' columns are kept, and the candidate's dU_h = (r ⊙ h_{t-1})^T dĥ comes from the saved r ⊙ h_{t-1}.
 */
const GRU_CELL: RecurrentCell = {
  opName: 'gruSequence',
  cellName: 'GRU',
  gateCount: 3,
  forwardKernel: GRU_FORWARD_KERNEL,
  forward(xw, recurrentKernel, attrs) {
    const units = recurrentKernel.shape[0];
    const recurrentKernelZR = tf.slice(recurrentKernel, [0, 0], [units, 2 * units]);
    const recurrentKernelH = tf.slice(recurrentKernel, [0, 2 * units], [units, units]);
    const [h, gates, resetHidden] = tf.engine().runKernel(
      GRU_FORWARD_KERNEL,
      { xw, recurrentKernelZR, recurrentKernelH },
      attrs,
    ) as tf.Tensor[];
    return { h, saved: [recurrentKernelZR, recurrentKernelH, gates, resetHidden] };
  },
  backward(dy, h, [recurrentKernelZR, recurrentKernelH, gates], attrs) {
    return tf.engine().runKernel(
      GRU_BACKWARD_KERNEL,
      { dh: dy, gates, h, recurrentKernelZRT: tf.transpose(recurrentKernelZR), recurrentKernelHT: tf.transpose(recurrentKernelH) },
      attrs,
    ) as tf.Tensor;
  },
  recurrentKernelGradient(hPrevRows, dxw, [, , , resetHidden]) {
    const [rows, units] = [dxw.shape[0], hPrevRows.shape[0]];
    const dUZR = tf.slice(hPrevRows, [0, 0], [units, 2 * units]);
    const dCandidate = tf.slice(dxw, [0, 2 * units], [rows, units]);
    const dUH = tf.matMul(tf.reshape(resetHidden, [rows, units]), dCandidate, true, false);
    return tf.concat([dUZR, dUH], 1);
  },
  recurrenceWithOps,
};

/** The same recurrence with ordinary ops (TF.js GRUCell's maths): the path for backends without the kernels. */
function recurrenceWithOps(xw: tf.Tensor3D, recurrentKernel: tf.Tensor2D, recurrentActivation: GruGateActivation): tf.Tensor3D {
  const [batch, time, units3] = xw.shape;
  const units = units3 / 3;
  const act = (v: tf.Tensor) =>
    recurrentActivation === 'sigmoid' ? tf.sigmoid(v) : tf.clipByValue(tf.add(tf.mul(v, 0.2), 0.5), 0, 1);
  const [uZR, uH] = tf.split(recurrentKernel, [2 * units, units], 1);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  const steps: tf.Tensor2D[] = [];
  const perStep = tf.unstack(xw, 1) as tf.Tensor2D[];
  for (let t = 0; t < time; t++) {
    const [xz, xr, xh] = tf.split(perStep[t], 3, 1);
    const [recZ, recR] = tf.split(tf.matMul(h, uZR), 2, 1);
    const z = act(tf.add(xz, recZ));
    const r = act(tf.add(xr, recR));
    const candidate = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), uH)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
    steps.push(h);
  }
  return tf.stack(steps, 1) as tf.Tensor3D;
}

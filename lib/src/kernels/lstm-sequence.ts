/**
 * `lstmSequence`: a whole LSTM layer pass as one differentiable op.
 *
 * Forward: one matrix product x W + b for all steps, then the recurrence in one kernel call. Backward: one kernel call
 * for the recurrence (back-propagation through time), then three products for dW, dU and dx. On backends without the
 * kernels (e.g. native TensorFlow) the same maths runs op by op and autodiff provides the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import {
  LSTM_BACKWARD_KERNEL,
  LSTM_FORWARD_KERNEL,
  LstmGateActivation,
  lstmKernelsAvailable,
  registerLstmSequenceKernels,
} from './lstm-kernels';

export interface LstmWeights {
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
  if (x.rank !== 3) throw new Error(`lstmSequence expects inputs [batch, time, features], got shape [${x.shape}]`);
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  if (weights.kernel.shape[0] !== inputDim || weights.kernel.shape[1] !== 4 * units) {
    throw new Error(`LSTM kernel must be [${inputDim}, ${4 * units}], got [${weights.kernel.shape}]`);
  }
  if (time === 0) throw new Error('lstmSequence needs at least one time step');
  return tf.tidy(() => {
    let xw = tf.matMul(tf.reshape(x, [batch * time, inputDim]), weights.kernel);
    if (weights.bias !== undefined) xw = tf.add(xw, weights.bias);
    const xw3 = tf.reshape(xw, [batch, time, 4 * units]) as tf.Tensor3D;
    registerLstmSequenceKernels();
    return lstmKernelsAvailable()
      ? recurrenceWithKernels(xw3, weights.recurrentKernel, recurrentActivation)
      : recurrenceWithOps(xw3, weights.recurrentKernel, recurrentActivation);
  });
}

function recurrenceWithKernels(
  xw: tf.Tensor3D,
  recurrentKernel: tf.Tensor2D,
  recurrentActivation: LstmGateActivation,
): tf.Tensor3D {
  const attrs = { recurrentActivation };
  const forwardAndBackward = (xwIn: tf.Tensor, uIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const [h, c, tanhC, gates] = tf.engine().runKernel(LSTM_FORWARD_KERNEL, { xw: xwIn, recurrentKernel: uIn }, attrs) as tf.Tensor[];
    save([h, c, tanhC, gates, uIn]);
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hSaved, cSaved, tanhCSaved, gatesSaved, u] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D];
        const [batch, time, units] = hSaved.shape;
        const dz = tf.engine().runKernel(
          LSTM_BACKWARD_KERNEL,
          { dh: dy as tf.Tensor, gates: gatesSaved, c: cSaved, tanhC: tanhCSaved, recurrentKernelT: tf.transpose(u) },
          attrs,
        ) as tf.Tensor3D;
        // dU = sum_t h_{t-1}^T dz_t, as one product over all steps (h_{-1} = 0).
        const hPrev = time === 1
          ? tf.zeros([batch, 1, units])
          : tf.concat([tf.zeros([batch, 1, units]), tf.slice(hSaved, [0, 0, 0], [batch, time - 1, units])], 1);
        const du = tf.matMul(tf.reshape(hPrev, [batch * time, units]), tf.reshape(dz, [batch * time, 4 * units]), true, false);
        return [dz, du];
      },
    };
  };
  const run = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(xw, recurrentKernel) as tf.Tensor3D;
}

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

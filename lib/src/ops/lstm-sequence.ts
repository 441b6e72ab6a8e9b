/**
 * `lstmSequence`: a whole LSTM layer pass as one differentiable op.
 *
 * Forward: one matrix product x W + b for all steps, then the recurrence in one kernel call. Backward: one kernel call
 * for the recurrence (back-propagation through time), then three products for dW, dU and dx. On backends without the
 * kernels (e.g. native TensorFlow; `initEngine` registers them for wasm and cpu) the same maths runs op by op and
 * autodiff provides the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_BACKWARD_KERNEL, LSTM_FORWARD_KERNEL, type LstmGateActivation, hasKernel } from '../kernels';

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
  if (hasKernel(LSTM_FORWARD_KERNEL)) return layerWithKernels(x, weights, recurrentActivation);
  return tf.tidy(() => {
    let xw = tf.matMul(tf.reshape(x, [batch * time, inputDim]), weights.kernel);
    if (weights.bias !== undefined) xw = tf.add(xw, weights.bias);
    return recurrenceWithOps(tf.reshape(xw, [batch, time, 4 * units]) as tf.Tensor3D, weights.recurrentKernel, recurrentActivation);
  });
}

/**
 * The whole layer as one differentiable op. Backward: the recurrence kernel gives dz (the gradient of x W + b); then
 * dW and dU come from ONE product [x | h_{t-1}]^T dz (one pass over dz, [batch*time, 4*units], instead of two),
 * db = sum dz and dx = dz W^T.
 */
function layerWithKernels(x: tf.Tensor3D, weights: LstmWeights, recurrentActivation: LstmGateActivation): tf.Tensor3D {
  const attrs = { recurrentActivation };
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  const rows = batch * time;
  const withBias = weights.bias !== undefined;
  const forwardAndBackward = (...args: tf.Tensor[]) => {
    const save = args.pop() as unknown as tf.GradSaveFunc;
    const [xIn, kernel, recurrentKernel, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    // The bias rides along in the product (XNNPACK adds it while writing the output).
    const xw = tf.fused.matMul({ a: tf.reshape(xIn, [rows, inputDim]), b: kernel, bias });
    const [h, ...rest] = tf.engine().runKernel(
      LSTM_FORWARD_KERNEL,
      { xw: tf.reshape(xw, [batch, time, 4 * units]), recurrentKernel },
      attrs,
    ) as tf.Tensor[];
    save([xIn, kernel, recurrentKernel, h, ...rest]);
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, w, u, hSaved, cSaved, tanhCSaved, gatesSaved] = saved;
        const dz = tf.reshape(
          tf.engine().runKernel(
            LSTM_BACKWARD_KERNEL,
            { dh: dy, gates: gatesSaved, c: cSaved, tanhC: tanhCSaved, recurrentKernelT: tf.transpose(u) },
            attrs,
          ) as tf.Tensor,
          [rows, 4 * units],
        );
        // h_{t-1} of every step (h_{-1} = 0) beside x: one product gives [dW; dU].
        const hPrev = tf.pad(tf.slice(hSaved, [0, 0, 0], [batch, time - 1, units]), [[0, 0], [1, 0], [0, 0]]);
        const dWU = tf.matMul(tf.reshape(tf.concat([xSaved, hPrev], 2), [rows, inputDim + units]), dz, true, false);
        const dx = tf.reshape(tf.matMul(dz, w, false, true), [batch, time, inputDim]);
        const dW = tf.slice(dWU, [0, 0], [inputDim, 4 * units]);
        const dU = tf.slice(dWU, [inputDim, 0], [units, 4 * units]);
        return withBias ? [dx, dW, dU, tf.sum(dz, 0)] : [dx, dW, dU];
      },
    };
  };
  const run = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  const inputs = [x, weights.kernel, weights.recurrentKernel, ...(withBias ? [weights.bias as tf.Tensor1D] : [])];
  return run(...inputs) as tf.Tensor3D;
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

/**
 * `gruSequence`: a whole GRU layer pass as one differentiable op (the GRU twin of `lstmSequence`).
 *
 * Forward: one matrix product x W + b for all steps, then the recurrence in one kernel call (gru-kernels.ts, which
 * states the maths: TF.js's GRUCell, reset gate applied before the recurrent product). Backward: one kernel call for
 * the recurrence, then products for dW, dU and dx. On backends without the kernels (e.g. native TensorFlow;
 * `initEngine` registers them for wasm and cpu) the same maths runs op by op and autodiff provides the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { GRU_BACKWARD_KERNEL, GRU_FORWARD_KERNEL, type GruGateActivation, hasKernel } from '../kernels';

export interface GruWeights {
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
  if (x.rank !== 3) throw new Error(`gruSequence expects inputs [batch, time, features], got shape [${x.shape}]`);
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  if (weights.recurrentKernel.shape[1] !== 3 * units) {
    throw new Error(`GRU recurrent kernel must be [${units}, ${3 * units}], got [${weights.recurrentKernel.shape}]`);
  }
  if (weights.kernel.shape[0] !== inputDim || weights.kernel.shape[1] !== 3 * units) {
    throw new Error(`GRU kernel must be [${inputDim}, ${3 * units}], got [${weights.kernel.shape}]`);
  }
  if (weights.bias !== undefined && (weights.bias.rank !== 1 || weights.bias.shape[0] !== 3 * units)) {
    throw new Error(`GRU bias must be [${3 * units}], got [${weights.bias.shape}]`);
  }
  if (recurrentActivation !== 'sigmoid' && recurrentActivation !== 'hardSigmoid') {
    throw new Error(`gruSequence recurrentActivation must be 'sigmoid' or 'hardSigmoid', got '${recurrentActivation as string}'`);
  }
  if (time === 0) throw new Error('gruSequence needs at least one time step');
  if (hasKernel(GRU_FORWARD_KERNEL)) return layerWithKernels(x, weights, recurrentActivation);
  return tf.tidy(() => {
    let xw = tf.matMul(tf.reshape(x, [batch * time, inputDim]), weights.kernel);
    if (weights.bias !== undefined) xw = tf.add(xw, weights.bias);
    return recurrenceWithOps(tf.reshape(xw, [batch, time, 3 * units]) as tf.Tensor3D, weights.recurrentKernel, recurrentActivation);
  });
}

/**
 * The whole layer as one differentiable op. Backward: the recurrence kernel gives dxw (the gradient of x W + b);
 * then dW and the gates' part of dU come from ONE product [x | h_{t-1}]^T dxw (its candidate block of dU is
 * discarded), the candidate's dU_h = (r ⊙ h_{t-1})^T dĥ, db = sum dxw and dx = dxw W^T.
 */
function layerWithKernels(x: tf.Tensor3D, weights: GruWeights, recurrentActivation: GruGateActivation): tf.Tensor3D {
  const attrs = { recurrentActivation };
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  const rows = batch * time;
  const withBias = weights.bias !== undefined;
  const forwardAndBackward = (...args: tf.Tensor[]) => {
    const save = args.pop() as unknown as tf.GradSaveFunc;
    const [xIn, kernel, recurrentKernel, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    const xw = tf.fused.matMul({ a: tf.reshape(xIn, [rows, inputDim]), b: kernel, bias });
    const recurrentKernelZR = tf.slice(recurrentKernel, [0, 0], [units, 2 * units]);
    const recurrentKernelH = tf.slice(recurrentKernel, [0, 2 * units], [units, units]);
    const [h, gates, resetHidden] = tf.engine().runKernel(
      GRU_FORWARD_KERNEL,
      { xw: tf.reshape(xw, [batch, time, 3 * units]), recurrentKernelZR, recurrentKernelH },
      attrs,
    ) as tf.Tensor[];
    save([xIn, kernel, recurrentKernelZR, recurrentKernelH, h, gates, resetHidden]);
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, w, uZR, uH, hSaved, gatesSaved, resetHiddenSaved] = saved;
        const dxw = tf.reshape(
          tf.engine().runKernel(
            GRU_BACKWARD_KERNEL,
            { dh: dy, gates: gatesSaved, h: hSaved, recurrentKernelZRT: tf.transpose(uZR), recurrentKernelHT: tf.transpose(uH) },
            attrs,
          ) as tf.Tensor,
          [rows, 3 * units],
        );
        // h_{t-1} of every step (h_{-1} = 0) beside x: one product gives dW and the gates' columns of dU.
        const hPrev = tf.pad(tf.slice(hSaved, [0, 0, 0], [batch, time - 1, units]), [[0, 0], [1, 0], [0, 0]]);
        const dWU = tf.matMul(tf.reshape(tf.concat([xSaved, hPrev], 2), [rows, inputDim + units]), dxw, true, false);
        const dW = tf.slice(dWU, [0, 0], [inputDim, 3 * units]);
        const dUZR = tf.slice(dWU, [inputDim, 0], [units, 2 * units]);
        const dCandidate = tf.slice(dxw, [0, 2 * units], [rows, units]);
        const dUH = tf.matMul(tf.reshape(resetHiddenSaved, [rows, units]), dCandidate, true, false);
        const dx = tf.reshape(tf.matMul(dxw, w, false, true), [batch, time, inputDim]);
        const dU = tf.concat([dUZR, dUH], 1);
        return withBias ? [dx, dW, dU, tf.sum(dxw, 0)] : [dx, dW, dU];
      },
    };
  };
  const run = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  const inputs = [x, weights.kernel, weights.recurrentKernel, ...(withBias ? [weights.bias as tf.Tensor1D] : [])];
  return run(...inputs) as tf.Tensor3D;
}

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

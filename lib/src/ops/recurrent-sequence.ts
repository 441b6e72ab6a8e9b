/**
 * The plumbing that `lstmSequence` and `gruSequence` share: input checks, x W + b for all steps in one product, the
 * choice between the course kernels and plain ops, and the custom gradient's products for dW, dx and db. Each cell
 * supplies its own kernels, its part of dU and its plain-ops recurrence (the maths differs; see lstm-kernels.ts and
 * gru-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { hasKernel, type RecurrentGateActivation } from '../kernels';

/** A fused recurrent layer's weights, with the cell's gate blocks side by side in the columns. */
export interface RecurrentWeights {
  /** [inputDim, gates*units]. */
  kernel: tf.Tensor2D;
  /** [units, gates*units]. */
  recurrentKernel: tf.Tensor2D;
  /** [gates*units], or undefined for no bias. */
  bias?: tf.Tensor1D;
}

/** What one cell type (LSTM, GRU) brings to the shared op. */
export interface RecurrentCell {
  /** The op's name, for messages ('lstmSequence'). */
  opName: string;
  /** The cell's name, for messages ('LSTM'). */
  cellName: string;
  /** Gate blocks in the weights' columns (LSTM 4, GRU 3). */
  gateCount: number;
  /** The forward kernel; where it is not registered, `recurrenceWithOps` runs and autodiff differentiates it. */
  forwardKernel: string;
  /** Runs the forward kernel on xw = x W + b [batch, time, gates*units]: the hidden states, and what `backward` needs. */
  forward(xw: tf.Tensor3D, recurrentKernel: tf.Tensor2D, attrs: tf.NamedAttrMap): { h: tf.Tensor; saved: tf.Tensor[] };
  /** Runs the backward kernel: the gradient of xw, [batch, time, gates*units]. */
  backward(dy: tf.Tensor, h: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): tf.Tensor;
  /**
   * dU, given the h_{t-1} rows of [x | h_{t-1}]^T dxw ([units, gates*units], the whole of dU when every gate block
   * multiplies h_{t-1} itself) and dxw [batch*time, gates*units].
   */
  recurrentKernelGradient(hPrevRows: tf.Tensor2D, dxw: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor;
  /** The same recurrence with ordinary ops on xw [batch, time, gates*units]. */
  recurrenceWithOps(xw: tf.Tensor3D, recurrentKernel: tf.Tensor2D, recurrentActivation: RecurrentGateActivation): tf.Tensor3D;
}

/**
 * Checks x [batch, time, features], the kernel [features, gates*units], the recurrent kernel [units, gates*units], the
 * bias [gates*units] and the gate activation, with messages that name the op and the cell.
 */
function checkSequenceInputs(
  cell: RecurrentCell,
  x: tf.Tensor3D,
  weights: RecurrentWeights,
  recurrentActivation: RecurrentGateActivation,
): void {
  const units = weights.recurrentKernel.shape[0];
  const columns = cell.gateCount * units;
  if (weights.recurrentKernel.shape[1] !== columns) {
    throw new Error(`${cell.cellName} recurrent kernel must be [${units}, ${columns}], got [${weights.recurrentKernel.shape}]`);
  }
  if (x.rank !== 3) throw new Error(`${cell.opName} expects inputs [batch, time, features], got shape [${x.shape}]`);
  const inputDim = x.shape[2];
  if (weights.kernel.shape[0] !== inputDim || weights.kernel.shape[1] !== columns) {
    throw new Error(`${cell.cellName} kernel must be [${inputDim}, ${columns}], got [${weights.kernel.shape}]`);
  }
  if (weights.bias !== undefined && (weights.bias.rank !== 1 || weights.bias.shape[0] !== columns)) {
    throw new Error(`${cell.cellName} bias must be [${columns}], got [${weights.bias.shape}]`);
  }
  if (recurrentActivation !== 'sigmoid' && recurrentActivation !== 'hardSigmoid') {
    throw new Error(`${cell.opName} recurrentActivation must be 'sigmoid' or 'hardSigmoid', got '${recurrentActivation as string}'`);
  }
}

/** Hidden states of every step, [batch, time, units] (inputs checked): through the cell's kernels where registered, else plain ops. */
export function runRecurrentSequence(
  cell: RecurrentCell,
  x: tf.Tensor3D,
  weights: RecurrentWeights,
  recurrentActivation: RecurrentGateActivation,
): tf.Tensor3D {
  checkSequenceInputs(cell, x, weights, recurrentActivation);
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  if (time === 0) throw new Error(`${cell.opName} needs at least one time step`);
  if (hasKernel(cell.forwardKernel)) return layerWithKernels(cell, x, weights, recurrentActivation);
  return tf.tidy(() => {
    let xw = tf.matMul(tf.reshape(x, [batch * time, inputDim]), weights.kernel);
    if (weights.bias !== undefined) xw = tf.add(xw, weights.bias);
    return cell.recurrenceWithOps(tf.reshape(xw, [batch, time, cell.gateCount * units]) as tf.Tensor3D, weights.recurrentKernel, recurrentActivation);
  });
}

/**
 * The whole layer as one differentiable op. Backward: the cell's backward kernel gives dxw (the gradient of x W + b);
 * then dW and the h_{t-1} part of dU come from ONE product [x | h_{t-1}]^T dxw (one pass over dxw,
 * [batch*time, gates*units], instead of two), db = sum dxw and dx = dxw W^T; the cell finishes dU.
 */
function layerWithKernels(
  cell: RecurrentCell,
  x: tf.Tensor3D,
  weights: RecurrentWeights,
  recurrentActivation: RecurrentGateActivation,
): tf.Tensor3D {
  const attrs = { recurrentActivation };
  const [batch, time, inputDim] = x.shape;
  const units = weights.recurrentKernel.shape[0];
  const columns = cell.gateCount * units;
  const rows = batch * time;
  const withBias = weights.bias !== undefined;
  const forwardAndBackward = (...args: tf.Tensor[]) => {
    const save = args.pop() as unknown as tf.GradSaveFunc;
    const [xIn, kernel, recurrentKernel, bias] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    // The bias rides along in the product (XNNPACK adds it while writing the output).
    const xw = tf.fused.matMul({ a: tf.reshape(xIn, [rows, inputDim]), b: kernel, bias });
    const { h, saved } = cell.forward(tf.reshape(xw, [batch, time, columns]), recurrentKernel, attrs);
    save([xIn, kernel, h, ...saved]);
    return {
      value: h,
      gradFunc: (dy: tf.Tensor, savedTensors: tf.Tensor[]) => {
        const [xSaved, w, hSaved, ...cellSaved] = savedTensors;
        const dxw = tf.reshape(cell.backward(dy, hSaved, cellSaved, attrs), [rows, columns]) as tf.Tensor2D;
        // h_{t-1} of every step (h_{-1} = 0) beside x: one product gives dW and the h_{t-1} rows of dU.
        const hPrev = tf.pad(tf.slice(hSaved, [0, 0, 0], [batch, time - 1, units]), [[0, 0], [1, 0], [0, 0]]);
        const dWU = tf.matMul(tf.reshape(tf.concat([xSaved, hPrev], 2), [rows, inputDim + units]), dxw, true, false);
        const dW = tf.slice(dWU, [0, 0], [inputDim, columns]);
        const hPrevRows = tf.slice(dWU, [inputDim, 0], [units, columns]) as tf.Tensor2D;
        const dU = cell.recurrentKernelGradient(hPrevRows, dxw, cellSaved);
        const dx = tf.reshape(tf.matMul(dxw, w, false, true), [batch, time, inputDim]);
        return withBias ? [dx, dW, dU, tf.sum(dxw, 0)] : [dx, dW, dU];
      },
    };
  };
  const run = tf.customGrad(forwardAndBackward as unknown as Parameters<typeof tf.customGrad>[0]);
  const inputs = [x, weights.kernel, weights.recurrentKernel, ...(withBias ? [weights.bias as tf.Tensor1D] : [])];
  return run(...inputs) as tf.Tensor3D;
}

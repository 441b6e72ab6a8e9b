/**
 * Classifier output gradients as single kernels for wasm and cpu: cross-entropy of predicted probabilities (forward
 * and gradient) and the softmax gradient.
 *
 * Why: TF.js computes cross-entropy op by op (normalise, clip, log, multiply, sum, negate) and differentiates each
 * op, and the softmax gradient is four more ops: ~35 kernels for a [64, 10] batch, 0.4-0.6 ms of a 3 ms MLP training
 * step on wasm, where each tiny kernel costs its dispatch (and a thread-pool wake-up) rather than arithmetic. One
 * loop over the rows does each of them in microseconds. The arithmetic is TF.js's, in the same order (computed in
 * double, stored as float32):
 *   loss_b = -sum_j t_bj log(clip(q_bj)),  q_b = p_b / sum_j p_bj,  clip to [eps, 1 - eps]
 * and for sparse labels (class ids) p is clipped before the normalisation too, as tf.layers does.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type CourseGradientConfig, type CourseKernelConfig } from './course-kernel';
import { HOST_MEMORY_BACKENDS, HostMemory, hasKernel, hostMemory } from './host-memory';

export const CROSS_ENTROPY = 'CourseCrossEntropy';
export const CROSS_ENTROPY_GRAD = 'CourseCrossEntropyGrad';
export const SOFTMAX_GRAD = 'CourseSoftmaxGrad';

export interface CrossEntropyAttrs {
  /** Labels are class ids ([batch] or [batch, 1]) rather than rows of class probabilities. */
  sparse: boolean;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Rows of `probs` [batch, classes] and each row's label weights (a one-hot row for sparse labels). */
function rowsOf(name: string, args: KernelArgs) {
  const { probs, labels } = args.inputs;
  if (probs === undefined || labels === undefined) throw new Error(`${name} needs inputs probs and labels`);
  if (probs.dtype !== 'float32' || probs.shape.length !== 2) throw new Error(`${name}: probs must be float32 [batch, classes], got ${probs.dtype} [${probs.shape}]`);
  const [batch, classes] = probs.shape;
  const sparse = Boolean((args.attrs as unknown as CrossEntropyAttrs | undefined)?.sparse);
  const expected = sparse ? batch : batch * classes;
  if (tf.util.sizeFromShape(labels.shape) !== expected) {
    throw new Error(`${name}: labels have shape [${labels.shape}], expected ${sparse ? `[${batch}]` : `[${batch}, ${classes}]`}`);
  }
  const backend = args.backend as tf.KernelBackend;
  const eps = Math.fround(backend.epsilon());
  return { probs, labels, batch, classes, sparse, low: eps, high: Math.fround(1 - eps) };
}

/**
 * Walks the rows: for each, the probabilities as TF.js normalises and clips them (`q`, before the last clip), the
 * row sum, and the label weight of class j (`target(j)`).
 */
function forEachRow(
  mem: HostMemory,
  rows: ReturnType<typeof rowsOf>,
  visit: (b: number, q: Float64Array, sum: number, target: (j: number) => number, clippedFirst: Uint8Array) => void,
): void {
  const { batch, classes, sparse, low, high } = rows;
  const P = mem.values(rows.probs), T = mem.numbers(rows.labels);
  const q = new Float64Array(classes);
  const clippedFirst = new Uint8Array(classes); // sparse only: p was outside [low, high] before normalising
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      let p = P[b * classes + j];
      if (sparse) {
        clippedFirst[j] = p < low || p > high ? 1 : 0;
        p = Math.min(high, Math.max(low, p));
      }
      q[j] = p;
      sum += p;
    }
    sum = Math.fround(sum);
    for (let j = 0; j < classes; j++) q[j] = Math.fround(q[j] / sum);
    const label = sparse ? Math.floor(T[b]) : -1;
    visit(b, q, sum, sparse ? (j) => (j === label ? 1 : 0) : (j) => T[b * classes + j], clippedFirst);
  }
}

function crossEntropy(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo => {
    const rows = rowsOf(CROSS_ENTROPY, args);
    const mem = hostMemory(backendName, args.backend);
    const loss = mem.allocate([rows.batch]);
    const L = mem.values(loss);
    forEachRow(mem, rows, (b, q, _sum, target) => {
      let total = 0;
      for (let j = 0; j < rows.classes; j++) {
        const t = target(j);
        if (t !== 0) total += t * Math.log(Math.min(rows.high, Math.max(rows.low, q[j])));
      }
      L[b] = -total;
    });
    return loss;
  };
}

function crossEntropyGrad(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo => {
    const rows = rowsOf(CROSS_ENTROPY_GRAD, args);
    const { dy } = args.inputs;
    if (dy === undefined || tf.util.sizeFromShape(dy.shape) !== rows.batch) throw new Error(`${CROSS_ENTROPY_GRAD}: dy must have ${rows.batch} values`);
    const mem = hostMemory(backendName, args.backend);
    const grad = mem.allocate([rows.batch, rows.classes]);
    const G = mem.values(grad), DY = mem.values(dy);
    const { classes, low, high, sparse } = rows;
    const dq = new Float64Array(classes);
    forEachRow(mem, rows, (b, q, sum, target, clippedFirst) => {
      // d loss / d q_j = -t_j / clip(q_j), where the clip passes the gradient (q_j inside [low, high])
      let dot = 0;
      for (let j = 0; j < classes; j++) {
        const inside = q[j] >= low && q[j] <= high;
        dq[j] = inside ? (-target(j) / q[j]) * DY[b] : 0;
        dot += dq[j] * q[j];
      }
      // through q = p / sum(p): dp_j = (dq_j - sum_k dq_k q_k) / sum
      for (let j = 0; j < classes; j++) {
        G[b * classes + j] = sparse && clippedFirst[j] ? 0 : (dq[j] - dot) / sum;
      }
    });
    return grad;
  };
}

/** dx = dy y - (sum_j dy_j y_j) y along the last axis, as TF.js's softmax gradient. */
function softmaxGrad(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { dy, y } = args.inputs;
    if (dy === undefined || y === undefined || dy.dtype !== 'float32' || y.dtype !== 'float32') {
      throw new Error(`${SOFTMAX_GRAD} needs float32 inputs dy and y`);
    }
    const classes = y.shape[y.shape.length - 1];
    const size = tf.util.sizeFromShape(y.shape);
    const mem = hostMemory(backendName, args.backend);
    const dx = mem.allocate(y.shape);
    const DX = mem.values(dx), DY = mem.values(dy), Y = mem.values(y);
    for (let row = 0; row < size; row += classes) {
      let dot = 0;
      for (let j = row; j < row + classes; j++) dot += Math.fround(DY[j] * Y[j]);
      dot = Math.fround(dot);
      for (let j = row; j < row + classes; j++) DX[j] = Math.fround(DY[j] * Y[j]) - Math.fround(dot * Y[j]);
    }
    return dx;
  };
}

/** The three kernels, for wasm and cpu. */
export const CLASSIFIER_LOSS_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: CROSS_ENTROPY, make: crossEntropy },
  { kernelName: CROSS_ENTROPY_GRAD, make: crossEntropyGrad },
  { kernelName: SOFTMAX_GRAD, make: softmaxGrad },
].map(({ kernelName, make }) => ({ kernelName, backendNames: HOST_MEMORY_BACKENDS, role: 'adds' as const, make: (backendName: string) => asKernelFunc(make(backendName)) }));

/**
 * Softmax's gradient as one kernel where the backend has it (TF.js's four ops elsewhere): replaces the gradient TF.js
 * registered for Softmax (a speed-up: `restoreStockKernels` puts TF.js's back).
 */
export const SOFTMAX_GRADIENT: CourseGradientConfig = {
  kernelName: tf.Softmax,
  make: (stock) => ({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      if (!hasKernel(SOFTMAX_GRAD) || Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      const [y] = saved;
      return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD, { dy, y }) as tf.Tensor };
    },
  }),
};

/**
 * Whole-sequence LSTM kernels for the `wasm` and `cpu` backends.
 *
 * tf.layers.lstm runs ~15 engine ops per time step forward and ~40 backward; on wasm the per-op overhead, not the
 * arithmetic, dominates. These two kernels run the full recurrence in one call each: the gate pre-activations of all
 * steps (x W + b) arrive precomputed, each step does one small product h_{t-1} U with the backend's own BatchMatMul
 * kernel, and the element-wise gate maths runs in plain JS loops directly on the backend's memory.
 *
 * Layout (gate order i, f, c, o as tf.layers.lstm):
 *   forward  inputs xw [B,T,4H], recurrentKernel [H,4H]
 *            -> outputs h [B,T,H], c [B,T,H], tanh(c) [B,T,H], gates [B,T,4H] (activated)
 *   backward inputs dh [B,T,H], gates, c, tanhC, recurrentKernelT [4H,H] -> output dz [B,T,4H] (gradient of xw)
 */
import * as tf from '@tensorflow/tfjs';

export const LSTM_FORWARD_KERNEL = 'CourseLstmSequenceForward';
export const LSTM_BACKWARD_KERNEL = 'CourseLstmSequenceBackward';
export const LSTM_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

export type LstmGateActivation = 'sigmoid' | 'hardSigmoid';

/** What the kernels need from a backend: allocate, see memory as Float32Array, multiply, free. */
interface SequenceMemory {
  allocate(shape: number[]): tf.TensorInfo;
  values(info: tf.TensorInfo): Float32Array;
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo;
  /** The backend's vectorised element-wise sigmoid, where it has one worth calling (wasm: XNNPACK). */
  sigmoid?: (x: tf.TensorInfo) => tf.TensorInfo;
  free(info: tf.TensorInfo): void;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  data: { get(dataId: object): { values: Float32Array } };
  disposeData(dataId: object, force?: boolean): boolean;
}

function memoryFor(backendName: string, backend: unknown): SequenceMemory {
  const matMulKernel = tf.getKernel(tf.BatchMatMul, backendName);
  if (matMulKernel === undefined) throw new Error(`BatchMatMul is not registered for backend '${backendName}'`);
  const matMul = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    matMulKernel.kernelFunc({
      inputs: { a, b },
      backend: backend as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackendLike;
    const sigmoidKernel = tf.getKernel(tf.Sigmoid, 'wasm');
    const sigmoid = sigmoidKernel
      ? (x: tf.TensorInfo) => sigmoidKernel.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: {} }) as tf.TensorInfo
      : undefined;
    return {
      sigmoid,
      // Not zeroed (malloc): the kernels write every element.
      allocate: (shape) => wasm.makeOutput(shape, 'float32'),
      // A fresh view each time: any allocation may grow the wasm heap and detach older views.
      values: (info) => wasm.typedArrayFromHeap(info),
      matMul,
      free: (info) => void wasm.disposeData(info.dataId),
    };
  }
  const cpu = backend as CpuBackendLike;
  return {
    allocate: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
    values: (info) => cpu.data.get(info.dataId).values,
    matMul,
    free: (info) => void cpu.disposeData(info.dataId),
  };
}

/** Derivative of the gate activation, from its output y. */
function gateSlope(activation: LstmGateActivation): (y: number) => number {
  return activation === 'sigmoid' ? (y) => y * (1 - y) : (y) => (y > 0 && y < 1 ? 0.2 : 0);
}

/** The named input, checked to be a float32 tensor of the given rank. */
function floatInput(inputs: tf.NamedTensorInfoMap, name: string, rank: number): tf.TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`LSTM kernel input '${name}' is missing`);
  checkFloat(name, info, rank);
  return info;
}

function checkFloat(name: string, info: tf.TensorInfo, rank: number): void {
  if (info.dtype !== 'float32') throw new Error(`${name} must be float32, got ${info.dtype}`);
  if (info.shape.length !== rank) throw new Error(`${name} must have rank ${rank}, got shape [${info.shape}]`);
}

/**
 * Forward recurrence. On a backend with a vectorised Sigmoid kernel (wasm) the transcendental work goes to that
 * kernel: two calls per step, using tanh(x) = 2 sigmoid(2x) - 1 (the wasm Tanh kernel is scalar, and Math.tanh and
 * Math.exp in JS cost ~10 ms per 40-step pass). Otherwise (cpu) all gate maths runs in JS.
 */
function lstmForward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const xw = floatInput(inputs, 'xw', 3);
    const recurrentKernel = floatInput(inputs, 'recurrentKernel', 2);
    const [B, T, H4] = xw.shape as [number, number, number];
    const H = H4 / 4;
    if (recurrentKernel.shape[0] !== H || recurrentKernel.shape[1] !== H4) {
      throw new Error(`recurrentKernel must be [${H},${H4}], got [${recurrentKernel.shape}]`);
    }
    const activation = ((attrs ?? {}).recurrentActivation as LstmGateActivation) ?? 'hardSigmoid';
    const mem = memoryFor(backendName, backend);
    // The vectorised sigmoid also gives tanh (cell block, tanh(c)); hard-sigmoid gates are then redone in JS.
    const vectorSigmoid = mem.sigmoid;
    const hardGates = activation !== 'sigmoid';
    const hSeq = mem.allocate([B, T, H]);
    const cSeq = mem.allocate([B, T, H]);
    const tanhCSeq = mem.allocate([B, T, H]);
    const gates = mem.allocate([B, T, H4]);
    const hPrev = mem.allocate([B, H]);
    const zStep = mem.allocate([B, H4]);
    const cStep = mem.allocate([B, H]);
    const scratch = [hPrev, zStep, cStep];
    try {
      for (let t = 0; t < T; t++) {
        // h_0 = 0, so the first step needs no product.
        const rec = t === 0 ? undefined : mem.matMul(hPrev, recurrentKernel);
        if (rec !== undefined) scratch.push(rec);
        // 1. Pre-activations z = xw_t + h_{t-1} U (the cell block doubled when tanh comes from sigmoid).
        let XW = mem.values(xw), Z = mem.values(zStep);
        let R = rec === undefined ? undefined : mem.values(rec);
        const cellScale = vectorSigmoid ? 2 : 1;
        for (let b = 0; b < B; b++) {
          const zRow = (b * T + t) * H4, sRow = b * H4;
          if (R === undefined) Z.set(XW.subarray(zRow, zRow + H4), sRow);
          else for (let k = 0; k < H4; k++) Z[sRow + k] = XW[zRow + k] + R[sRow + k];
          if (cellScale !== 1) for (let k = 2 * H; k < 3 * H; k++) Z[sRow + k] *= cellScale;
        }
        // 2. Gate activations.
        let A: Float32Array;
        let sig: tf.TensorInfo | undefined;
        if (vectorSigmoid) {
          sig = vectorSigmoid(zStep);
          scratch.push(sig);
          A = mem.values(sig);
          if (hardGates) {
            Z = mem.values(zStep);
            for (let b = 0; b < B; b++) {
              const sRow = b * H4;
              for (let k = 0; k < H4; k++) {
                if (k === 2 * H) k = 3 * H; // the cell block keeps sigmoid(2z)
                A[sRow + k] = Math.min(1, Math.max(0, 0.2 * Z[sRow + k] + 0.5));
              }
            }
          }
        } else {
          // Inline (a closure per element costs ~3x here): tanh for the cell block, the gate function elsewhere.
          A = Z;
          const sigmoidGates = activation === 'sigmoid';
          for (let b = 0; b < B; b++) {
            const sRow = b * H4;
            for (let k = 0; k < H4; k++) {
              const z = A[sRow + k];
              A[sRow + k] =
                k >= 2 * H && k < 3 * H
                  ? Math.tanh(z)
                  : sigmoidGates
                    ? 1 / (1 + Math.exp(-z))
                    : Math.min(1, Math.max(0, 0.2 * z + 0.5));
            }
          }
        }
        // 3. Cell state.
        const G = mem.values(gates), Cs = mem.values(cSeq), CS = mem.values(cStep);
        for (let b = 0; b < B; b++) {
          const sRow = b * H4, zRow = (b * T + t) * H4, cRow = (b * T + t) * H;
          for (let j = 0; j < H; j++) {
            const i = A[sRow + j], f = A[sRow + H + j], o = A[sRow + 3 * H + j];
            const g = vectorSigmoid ? 2 * A[sRow + 2 * H + j] - 1 : A[sRow + 2 * H + j];
            const c = (t === 0 ? 0 : f * Cs[cRow - H + j]) + i * g;
            G[zRow + j] = i;
            G[zRow + H + j] = f;
            G[zRow + 2 * H + j] = g;
            G[zRow + 3 * H + j] = o;
            Cs[cRow + j] = c;
            CS[b * H + j] = vectorSigmoid ? 2 * c : c;
          }
        }
        // 4. Hidden state h = o * tanh(c).
        let TC: Float32Array;
        let sigC: tf.TensorInfo | undefined;
        if (vectorSigmoid) {
          sigC = vectorSigmoid(cStep);
          scratch.push(sigC);
          TC = mem.values(sigC);
        } else {
          TC = mem.values(cStep);
          for (let k = 0; k < B * H; k++) TC[k] = Math.tanh(TC[k]);
        }
        const G2 = mem.values(gates), Hs = mem.values(hSeq), Hp = mem.values(hPrev), TCs = mem.values(tanhCSeq);
        for (let b = 0; b < B; b++) {
          const zRow = (b * T + t) * H4, cRow = (b * T + t) * H;
          for (let j = 0; j < H; j++) {
            const tc = vectorSigmoid ? 2 * TC[b * H + j] - 1 : TC[b * H + j];
            const h = G2[zRow + 3 * H + j] * tc;
            TCs[cRow + j] = tc;
            Hs[cRow + j] = h;
            Hp[b * H + j] = h;
          }
        }
        for (const info of [rec, sig, sigC]) {
          if (info === undefined) continue;
          mem.free(info);
          scratch.splice(scratch.indexOf(info), 1);
        }
        XW = Z = new Float32Array(0); // views are stale after the next allocation
        R = undefined;
      }
    } catch (error) {
      for (const info of [hSeq, cSeq, tanhCSeq, gates]) mem.free(info);
      throw error;
    } finally {
      for (const info of scratch) mem.free(info);
    }
    return [hSeq, cSeq, tanhCSeq, gates];
  };
}

function lstmBackward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const dh = floatInput(inputs, 'dh', 3);
    const gates = floatInput(inputs, 'gates', 3);
    const c = floatInput(inputs, 'c', 3);
    const tanhC = floatInput(inputs, 'tanhC', 3);
    const recurrentKernelT = floatInput(inputs, 'recurrentKernelT', 2);
    const [B, T, H] = dh.shape as [number, number, number];
    const H4 = 4 * H;
    const activation = ((attrs ?? {}).recurrentActivation as LstmGateActivation) ?? 'hardSigmoid';
    const slope = gateSlope(activation);
    const sigmoidGates = activation === 'sigmoid';
    const mem = memoryFor(backendName, backend);
    const dz = mem.allocate([B, T, H4]);
    const dzStep = mem.allocate([B, H4]);
    // Gradient flowing into c_{t} from step t+1 (kept in JS: it never meets a matrix product).
    const dcNext = new Float32Array(B * H);
    let dhNext: tf.TensorInfo | undefined;
    try {
      for (let t = T - 1; t >= 0; t--) {
        const DH = mem.values(dh), G = mem.values(gates), C = mem.values(c), TC = mem.values(tanhC);
        const DZ = mem.values(dz), DZS = mem.values(dzStep);
        const DHN = dhNext === undefined ? undefined : mem.values(dhNext);
        for (let b = 0; b < B; b++) {
          const sRow = (b * T + t) * H;
          const zRow = (b * T + t) * H4;
          const stepRow = b * H4;
          for (let j = 0; j < H; j++) {
            const dhTotal = DHN === undefined ? DH[sRow + j] : DH[sRow + j] + DHN[b * H + j];
            const i = G[zRow + j], f = G[zRow + H + j], g = G[zRow + 2 * H + j], o = G[zRow + 3 * H + j];
            const tc = TC[sRow + j];
            const dc = dhTotal * o * (1 - tc * tc) + dcNext[b * H + j];
            const cPrev = t === 0 ? 0 : C[sRow - H + j];
            // Gate slopes from the gate outputs; the sigmoid case inline (the common one, and the hot loop).
            const si = sigmoidGates ? i * (1 - i) : slope(i);
            const sf = sigmoidGates ? f * (1 - f) : slope(f);
            const so = sigmoidGates ? o * (1 - o) : slope(o);
            dcNext[b * H + j] = dc * f;
            DZS[stepRow + j] = dc * g * si;
            DZS[stepRow + H + j] = dc * cPrev * sf;
            DZS[stepRow + 2 * H + j] = dc * i * (1 - g * g);
            DZS[stepRow + 3 * H + j] = dhTotal * tc * so;
          }
          DZ.set(DZS.subarray(stepRow, stepRow + H4), zRow);
        }
        if (dhNext !== undefined) mem.free(dhNext);
        dhNext = t > 0 ? mem.matMul(dzStep, recurrentKernelT) : undefined;
      }
    } catch (error) {
      mem.free(dz);
      throw error;
    } finally {
      if (dhNext !== undefined) mem.free(dhNext);
      mem.free(dzStep);
    }
    return dz;
  };
}

/** Register both kernels for wasm and cpu (idempotent). Backends without them use the op-by-op path. */
export function registerLstmSequenceKernels(): void {
  for (const backendName of LSTM_KERNEL_BACKENDS) {
    if (tf.getKernel(LSTM_FORWARD_KERNEL, backendName) === undefined) {
      tf.registerKernel({
        kernelName: LSTM_FORWARD_KERNEL,
        backendName,
        kernelFunc: lstmForward(backendName) as unknown as tf.KernelFunc,
      });
    }
    if (tf.getKernel(LSTM_BACKWARD_KERNEL, backendName) === undefined) {
      tf.registerKernel({
        kernelName: LSTM_BACKWARD_KERNEL,
        backendName,
        kernelFunc: lstmBackward(backendName) as unknown as tf.KernelFunc,
      });
    }
  }
}

/** True when the current backend runs the fused kernels (else the layer falls back to ordinary ops). */
export function lstmKernelsAvailable(): boolean {
  return tf.getKernel(LSTM_FORWARD_KERNEL, tf.getBackend()) !== undefined;
}

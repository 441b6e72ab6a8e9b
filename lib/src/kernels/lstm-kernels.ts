/**
 * Whole-sequence LSTM kernels for the `wasm` and `cpu` backends.
 *
 * tf.layers.lstm runs ~15 engine ops per time step forward and ~40 backward; on wasm the per-op overhead, not the
 * arithmetic, dominates. These two kernels run the full recurrence in one call each: the gate pre-activations of all
 * steps (x W + b) arrive precomputed, each step does one small product h_{t-1} U with the backend's own BatchMatMul
 * kernel, and the element-wise gate maths runs in plain JS loops directly on the backend's memory.
 *
 * Layout (gate order i, f, c, o as tf.layers.lstm):
 *   forward  inputs xw [B,T,4H], recurrentKernel [H,4H]  -> outputs h [B,T,H], c [B,T,H], gates [B,T,4H] (activated)
 *   backward inputs dh [B,T,H], gates, c, recurrentKernelT [4H,H] -> output dz [B,T,4H] (gradient of xw)
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
    return {
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

function gate(activation: LstmGateActivation): (z: number) => number {
  return activation === 'sigmoid'
    ? (z) => 1 / (1 + Math.exp(-z))
    : (z) => Math.min(1, Math.max(0, 0.2 * z + 0.5));
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

function lstmForward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const xw = floatInput(inputs, 'xw', 3);
    const recurrentKernel = floatInput(inputs, 'recurrentKernel', 2);
    const [B, T, H4] = xw.shape as [number, number, number];
    const H = H4 / 4;
    if (recurrentKernel.shape[0] !== H || recurrentKernel.shape[1] !== H4) {
      throw new Error(`recurrentKernel must be [${H},${H4}], got [${recurrentKernel.shape}]`);
    }
    const act = gate(((attrs ?? {}).recurrentActivation as LstmGateActivation) ?? 'hardSigmoid');
    const mem = memoryFor(backendName, backend);
    const hSeq = mem.allocate([B, T, H]);
    const cSeq = mem.allocate([B, T, H]);
    const gates = mem.allocate([B, T, H4]);
    const hPrev = mem.allocate([B, H]);
    try {
      for (let t = 0; t < T; t++) {
        // h_0 = 0, so the first step needs no product.
        const rec = t === 0 ? undefined : mem.matMul(hPrev, recurrentKernel);
        const XW = mem.values(xw), Hs = mem.values(hSeq), Cs = mem.values(cSeq), G = mem.values(gates);
        const Hp = mem.values(hPrev);
        const R = rec === undefined ? undefined : mem.values(rec);
        for (let b = 0; b < B; b++) {
          const zRow = (b * T + t) * H4;
          const rRow = b * H4;
          const sRow = (b * T + t) * H;
          const cRowPrev = (b * T + t - 1) * H;
          for (let j = 0; j < H; j++) {
            let zi = XW[zRow + j], zf = XW[zRow + H + j], zc = XW[zRow + 2 * H + j], zo = XW[zRow + 3 * H + j];
            if (R !== undefined) {
              zi += R[rRow + j];
              zf += R[rRow + H + j];
              zc += R[rRow + 2 * H + j];
              zo += R[rRow + 3 * H + j];
            }
            const i = act(zi), f = act(zf), g = Math.tanh(zc), o = act(zo);
            const c = (t === 0 ? 0 : f * Cs[cRowPrev + j]) + i * g;
            const h = o * Math.tanh(c);
            G[zRow + j] = i;
            G[zRow + H + j] = f;
            G[zRow + 2 * H + j] = g;
            G[zRow + 3 * H + j] = o;
            Cs[sRow + j] = c;
            Hs[sRow + j] = h;
            Hp[b * H + j] = h;
          }
        }
        if (rec !== undefined) mem.free(rec);
      }
    } catch (error) {
      for (const info of [hSeq, cSeq, gates]) mem.free(info);
      throw error;
    } finally {
      mem.free(hPrev);
    }
    return [hSeq, cSeq, gates];
  };
}

function lstmBackward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const dh = floatInput(inputs, 'dh', 3);
    const gates = floatInput(inputs, 'gates', 3);
    const c = floatInput(inputs, 'c', 3);
    const recurrentKernelT = floatInput(inputs, 'recurrentKernelT', 2);
    const [B, T, H] = dh.shape as [number, number, number];
    const H4 = 4 * H;
    const slope = gateSlope(((attrs ?? {}).recurrentActivation as LstmGateActivation) ?? 'hardSigmoid');
    const mem = memoryFor(backendName, backend);
    const dz = mem.allocate([B, T, H4]);
    const dzStep = mem.allocate([B, H4]);
    // Gradient flowing into c_{t} from step t+1 (kept in JS: it never meets a matrix product).
    const dcNext = new Float32Array(B * H);
    let dhNext: tf.TensorInfo | undefined;
    try {
      for (let t = T - 1; t >= 0; t--) {
        const DH = mem.values(dh), G = mem.values(gates), C = mem.values(c), DZ = mem.values(dz), DZS = mem.values(dzStep);
        const DHN = dhNext === undefined ? undefined : mem.values(dhNext);
        for (let b = 0; b < B; b++) {
          const sRow = (b * T + t) * H;
          const zRow = (b * T + t) * H4;
          for (let j = 0; j < H; j++) {
            const dhTotal = DH[sRow + j] + (DHN === undefined ? 0 : DHN[b * H + j]);
            const i = G[zRow + j], f = G[zRow + H + j], g = G[zRow + 2 * H + j], o = G[zRow + 3 * H + j];
            const tc = Math.tanh(C[sRow + j]);
            const dc = dhTotal * o * (1 - tc * tc) + dcNext[b * H + j];
            const cPrev = t === 0 ? 0 : C[sRow - H + j];
            const dzi = dc * g * slope(i);
            const dzf = dc * cPrev * slope(f);
            const dzc = dc * i * (1 - g * g);
            const dzo = dhTotal * tc * slope(o);
            dcNext[b * H + j] = dc * f;
            DZ[zRow + j] = dzi;
            DZ[zRow + H + j] = dzf;
            DZ[zRow + 2 * H + j] = dzc;
            DZ[zRow + 3 * H + j] = dzo;
            const sRowStep = b * H4;
            DZS[sRowStep + j] = dzi;
            DZS[sRowStep + H + j] = dzf;
            DZS[sRowStep + 2 * H + j] = dzc;
            DZS[sRowStep + 3 * H + j] = dzo;
          }
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

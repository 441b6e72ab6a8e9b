/**
 * Whole-sequence LSTM kernels for the `wasm` and `cpu` backends.
 *
 * tf.layers.lstm runs ~15 engine ops per time step forward and ~40 backward; on wasm the per-op overhead, not the
 * arithmetic, dominates. These two kernels run the full recurrence in one call each: the gate pre-activations of all
 * steps (x W + b) arrive precomputed, each step does one small product h_{t-1} U with the backend's own BatchMatMul
 * kernel, and the element-wise gate maths of a step runs in one call of a SIMD routine (simd/lstm-routines.ts) on the
 * wasm backend's memory, or in JS loops on the cpu backend (and for units that are not a multiple of 4).
 *
 * Layout (gate order i, f, c, o as tf.layers.lstm):
 *   forward  inputs xw [B,T,4H], recurrentKernel [H,4H]
 *            -> outputs h [B,T,H], c [B,T,H], tanh(c) [B,T,H], gates [B,T,4H] (activated)
 *   backward inputs dh [B,T,H], gates, c, tanhC, recurrentKernelT [4H,H] -> output dz [B,T,4H] (gradient of xw)
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type CourseKernelConfig } from './course-kernel';
import { HOST_MEMORY_BACKENDS } from './host-memory';
import {
  type RecurrentGateActivation,
  type SequenceMemory,
  floatInput as kernelInput,
  gateActivationAttr,
  memoryFor,
  scalarGate,
  scalarGateSlope,
} from './recurrent-kernel-common';
import { SimdWasmBackend, simdOn } from './simd/simd-module';

export const LSTM_FORWARD_KERNEL = 'CourseLstmSequenceForward';
export const LSTM_BACKWARD_KERNEL = 'CourseLstmSequenceBackward';

export type LstmGateActivation = RecurrentGateActivation;

/** The named input, checked to be float32 of the given rank. */
const floatInput = (inputs: tf.NamedTensorInfoMap, name: string, rank: number) => kernelInput('LSTM', inputs, name, new Array(rank).fill(null));

/** The wasm SIMD routines for the gate maths (units a multiple of 4), or undefined where the JS loops run. */
function simdStep(backendName: string, backend: unknown, units: number) {
  return backendName === 'wasm' && units % 4 === 0 ? simdOn(backend as SimdWasmBackend) : undefined;
}

/** Forward recurrence: one product h_{t-1} U per step, the gate maths in SIMD (wasm) or JS. */
function lstmForward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const xw = floatInput(inputs, 'xw', 3);
    const recurrentKernel = floatInput(inputs, 'recurrentKernel', 2);
    const [B, T, H4] = xw.shape as [number, number, number];
    const H = H4 / 4;
    if (recurrentKernel.shape[0] !== H || recurrentKernel.shape[1] !== H4) {
      throw new Error(`recurrentKernel must be [${H},${H4}], got [${recurrentKernel.shape}]`);
    }
    const activation = gateActivationAttr(attrs);
    const mem = memoryFor(backendName, backend);
    const outputs = [mem.allocate([B, T, H]), mem.allocate([B, T, H]), mem.allocate([B, T, H]), mem.allocate([B, T, H4])];
    const [hSeq, cSeq, tanhCSeq, gates] = outputs;
    const hPrev = mem.allocate([B, H]);
    const scratch = [hPrev];
    try {
      const simd = simdStep(backendName, backend, H);
      // Step t's product, then the element-wise part; h_0 = 0, so the first step needs no product.
      const steps = simd
        ? simdForwardSteps(simd, mem, { xw, hSeq, cSeq, tanhCSeq, gates, hPrev }, [B, T, H], activation, scratch)
        : jsForwardStep(mem, { xw, hSeq, cSeq, tanhCSeq, gates, hPrev }, [B, T, H], activation);
      for (let t = 0; t < T; t++) {
        const rec = t === 0 ? undefined : mem.matMul(hPrev, recurrentKernel);
        try {
          steps(t, rec);
        } finally {
          if (rec !== undefined) mem.free(rec);
        }
      }
    } catch (error) {
      for (const info of outputs) mem.free(info);
      throw error;
    } finally {
      for (const info of scratch) mem.free(info);
    }
    return outputs;
  };
}

interface ForwardTensors {
  xw: tf.TensorInfo;
  hSeq: tf.TensorInfo;
  cSeq: tf.TensorInfo;
  tanhCSeq: tf.TensorInfo;
  gates: tf.TensorInfo;
  hPrev: tf.TensorInfo;
}

/** A zeroed [n] float tensor: the row that stands for h_{-1}, c_{-1} or dh_T (read with stride 0). */
function zeroRow(mem: SequenceMemory, n: number, scratch: tf.TensorInfo[]): tf.TensorInfo {
  const zero = mem.allocate([n]);
  scratch.push(zero);
  mem.values(zero).fill(0);
  return zero;
}

function simdForwardSteps(
  { routines, offset }: ReturnType<typeof simdOn>,
  mem: SequenceMemory,
  tensors: ForwardTensors,
  [B, T, H]: number[],
  activation: LstmGateActivation,
  scratch: tf.TensorInfo[],
) {
  const step = activation === 'sigmoid' ? routines.lstmForwardStep : routines.lstmForwardStepHard;
  const zero = offset(zeroRow(mem, 4 * H, scratch));
  // Byte offsets do not move while the tensors live (the heap may grow, but never relocates).
  const [xw, h, c, tanhC, gates, hPrev] = [tensors.xw, tensors.hSeq, tensors.cSeq, tensors.tanhCSeq, tensors.gates, tensors.hPrev].map(offset);
  const gateStride = T * 16 * H, seqStride = T * 4 * H;
  return (t: number, rec: tf.TensorInfo | undefined) => {
    const gateAt = t * 16 * H, seqAt = t * 4 * H;
    step({
      xw: xw + gateAt, rec: rec === undefined ? zero : offset(rec), recStride: rec === undefined ? 0 : 16 * H,
      cPrev: t === 0 ? zero : c + seqAt - 4 * H, cPrevStride: t === 0 ? 0 : seqStride,
      gates: gates + gateAt, c: c + seqAt, tanhC: tanhC + seqAt, h: h + seqAt, hNext: hPrev, gateStride, seqStride, rows: B, units: H,
    });
  };
}

/** The same step in JS (the cpu backend, or units not a multiple of 4). */
function jsForwardStep(mem: SequenceMemory, tensors: ForwardTensors, [B, T, H]: number[], activation: LstmGateActivation) {
  const H4 = 4 * H;
  const gate = scalarGate(activation);
  return (t: number, rec: tf.TensorInfo | undefined) => {
    // Views are taken after the product: any allocation may grow the heap and detach older views.
    const XW = mem.values(tensors.xw), R = rec === undefined ? undefined : mem.values(rec);
    const G = mem.values(tensors.gates), Cs = mem.values(tensors.cSeq), TCs = mem.values(tensors.tanhCSeq);
    const Hs = mem.values(tensors.hSeq), Hp = mem.values(tensors.hPrev);
    for (let b = 0; b < B; b++) {
      const zRow = (b * T + t) * H4, sRow = b * H4, cRow = (b * T + t) * H;
      const z = (k: number) => (R === undefined ? XW[zRow + k] : XW[zRow + k] + R[sRow + k]);
      for (let j = 0; j < H; j++) {
        const i = gate(z(j)), f = gate(z(H + j)), g = Math.tanh(z(2 * H + j)), o = gate(z(3 * H + j));
        const c = (t === 0 ? 0 : f * Cs[cRow - H + j]) + i * g;
        const tc = Math.tanh(c);
        G[zRow + j] = i;
        G[zRow + H + j] = f;
        G[zRow + 2 * H + j] = g;
        G[zRow + 3 * H + j] = o;
        Cs[cRow + j] = c;
        TCs[cRow + j] = tc;
        Hs[cRow + j] = Hp[b * H + j] = o * tc;
      }
    }
  };
}

/** Back-propagation through time: the gate maths of step t, then one product dz_t U^T for step t-1. */
function lstmBackward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const saved: BackwardTensors = {
      dh: floatInput(inputs, 'dh', 3),
      gates: floatInput(inputs, 'gates', 3),
      c: floatInput(inputs, 'c', 3),
      tanhC: floatInput(inputs, 'tanhC', 3),
    };
    const recurrentKernelT = floatInput(inputs, 'recurrentKernelT', 2);
    const [B, T, H] = saved.dh.shape as [number, number, number];
    const activation = gateActivationAttr(attrs);
    const mem = memoryFor(backendName, backend);
    const dz = mem.allocate([B, T, 4 * H]);
    const dzStep = mem.allocate([B, 4 * H]);
    const scratch = [dzStep];
    let dhNext: tf.TensorInfo | undefined;
    try {
      const simd = simdStep(backendName, backend, H);
      const steps = simd
        ? simdBackwardSteps(simd, mem, { ...saved, dz, dzStep }, [B, T, H], activation, scratch)
        : jsBackwardStep(mem, { ...saved, dz, dzStep }, [B, T, H], activation);
      for (let t = T - 1; t >= 0; t--) {
        steps(t, dhNext);
        if (dhNext !== undefined) mem.free(dhNext);
        dhNext = t > 0 ? mem.matMul(dzStep, recurrentKernelT) : undefined;
      }
    } catch (error) {
      mem.free(dz);
      throw error;
    } finally {
      if (dhNext !== undefined) mem.free(dhNext);
      for (const info of scratch) mem.free(info);
    }
    return dz;
  };
}

interface BackwardTensors {
  dh: tf.TensorInfo;
  gates: tf.TensorInfo;
  c: tf.TensorInfo;
  tanhC: tf.TensorInfo;
}

function simdBackwardSteps(
  { routines, offset }: ReturnType<typeof simdOn>,
  mem: SequenceMemory,
  tensors: BackwardTensors & { dz: tf.TensorInfo; dzStep: tf.TensorInfo },
  [B, T, H]: number[],
  activation: LstmGateActivation,
  scratch: tf.TensorInfo[],
) {
  const step = activation === 'sigmoid' ? routines.lstmBackwardStep : routines.lstmBackwardStepHard;
  const zero = offset(zeroRow(mem, H, scratch));
  // The cell gradient carried from step t+1 to t (zero after the last step).
  const dcNext = offset(zeroRow(mem, B * H, scratch));
  const [dh, gates, c, tanhC, dz, dzStep] = [tensors.dh, tensors.gates, tensors.c, tensors.tanhC, tensors.dz, tensors.dzStep].map(offset);
  const gateStride = T * 16 * H, seqStride = T * 4 * H;
  return (t: number, dhNext: tf.TensorInfo | undefined) => {
    const gateAt = t * 16 * H, seqAt = t * 4 * H;
    step({
      dh: dh + seqAt, dhNext: dhNext === undefined ? zero : offset(dhNext), dhNextStride: dhNext === undefined ? 0 : 4 * H,
      gates: gates + gateAt, cPrev: t === 0 ? zero : c + seqAt - 4 * H, cPrevStride: t === 0 ? 0 : seqStride,
      tanhC: tanhC + seqAt, dcNext, dz: dz + gateAt, dzStep, gateStride, seqStride, rows: B, units: H,
    });
  };
}

/** The same step in JS (the cpu backend, or units not a multiple of 4). */
function jsBackwardStep(
  mem: SequenceMemory,
  tensors: BackwardTensors & { dz: tf.TensorInfo; dzStep: tf.TensorInfo },
  [B, T, H]: number[],
  activation: LstmGateActivation,
) {
  const H4 = 4 * H;
  const slope = scalarGateSlope(activation);
  const dcNext = new Float32Array(B * H);
  return (t: number, dhNext: tf.TensorInfo | undefined) => {
    const DH = mem.values(tensors.dh), G = mem.values(tensors.gates), C = mem.values(tensors.c), TC = mem.values(tensors.tanhC);
    const DZ = mem.values(tensors.dz), DZS = mem.values(tensors.dzStep);
    const DHN = dhNext === undefined ? undefined : mem.values(dhNext);
    for (let b = 0; b < B; b++) {
      const sRow = (b * T + t) * H, zRow = (b * T + t) * H4, stepRow = b * H4;
      for (let j = 0; j < H; j++) {
        const dhTotal = DHN === undefined ? DH[sRow + j] : DH[sRow + j] + DHN[b * H + j];
        const i = G[zRow + j], f = G[zRow + H + j], g = G[zRow + 2 * H + j], o = G[zRow + 3 * H + j];
        const tc = TC[sRow + j];
        const dc = dhTotal * o * (1 - tc * tc) + dcNext[b * H + j];
        const cPrev = t === 0 ? 0 : C[sRow - H + j];
        dcNext[b * H + j] = dc * f;
        DZS[stepRow + j] = dc * g * slope(i);
        DZS[stepRow + H + j] = dc * cPrev * slope(f);
        DZS[stepRow + 2 * H + j] = dc * i * (1 - g * g);
        DZS[stepRow + 3 * H + j] = dhTotal * tc * slope(o);
      }
      DZ.set(DZS.subarray(stepRow, stepRow + H4), zRow);
    }
  };
}

/** Both kernels, for wasm and cpu. Backends without them run the layer op by op. */
export const LSTM_SEQUENCE_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: LSTM_FORWARD_KERNEL, backendNames: HOST_MEMORY_BACKENDS, role: 'adds', make: (backendName) => asKernelFunc(lstmForward(backendName)) },
  { kernelName: LSTM_BACKWARD_KERNEL, backendNames: HOST_MEMORY_BACKENDS, role: 'adds', make: (backendName) => asKernelFunc(lstmBackward(backendName)) },
];

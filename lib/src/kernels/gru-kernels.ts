/**
 * Whole-sequence GRU kernels for the `wasm` and `cpu` backends: the GRU twin of lstm-kernels.ts.
 *
 * tf.layers.gru runs about a dozen engine ops per time step forward and several dozen backward; these two kernels
 * run the full recurrence in one call each. The input part of the pre-activations (x W + b, all steps) arrives
 * precomputed; each step does two small products with the backend's own BatchMatMul kernel (the recurrent part of
 * the update and reset gates, h_{t-1} U_zr, then the candidate's (r ⊙ h_{t-1}) U_h) and the element-wise maths in
 * JS loops over the backend's memory (the wasm heap in place, or the cpu backend's arrays).
 *
 * The maths is TF.js's GRUCell (tfjs-layers 4.22, reset gate applied before the product, i.e. Keras's
 * `reset_after: false`; gate order z, r, h):
 *   z = σ(x W_z + b_z + h_{t-1} U_z)       r = σ(x W_r + b_r + h_{t-1} U_r)
 *   ĥ = tanh(x W_h + b_h + (r ⊙ h_{t-1}) U_h)
 *   h = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ
 * with σ the gate activation (hardSigmoid by default, as tf.layers.gru) and h_{-1} = 0.
 *
 * Layout:
 *   forward  inputs xw [B,T,3H], recurrentKernelZR [H,2H] (U_z | U_r), recurrentKernelH [H,H] (U_h)
 *            -> outputs h [B,T,H], gates [B,T,3H] (z, r, ĥ activated), resetHidden [B,T,H] (r ⊙ h_{t-1})
 *   backward inputs dh [B,T,H], gates, h, recurrentKernelZRT [2H,H], recurrentKernelHT [H,H]
 *            -> output dxw [B,T,3H] (gradient of the pre-activations x W + b)
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelFunc, type CourseKernelConfig } from './course-kernel';
import { HOST_MEMORY_BACKENDS } from './host-memory';
import {
  type RecurrentGateActivation,
  floatInput as kernelInput,
  gateActivationAttr,
  memoryFor,
  scalarGate,
  scalarGateSlope,
} from './recurrent-kernel-common';

export const GRU_FORWARD_KERNEL = 'CourseGruSequenceForward';
export const GRU_BACKWARD_KERNEL = 'CourseGruSequenceBackward';

/** The gate activations the kernels run: the same two as the LSTM's. */
export type GruGateActivation = RecurrentGateActivation;

const floatInput = (inputs: tf.NamedTensorInfoMap, name: string, shape: (number | null)[]) => kernelInput('GRU', inputs, name, shape);

/** The gate function and its slope; unlike the LSTM kernels, an unknown activation is refused. */
function gateFunctions(activation: GruGateActivation) {
  if (activation !== 'sigmoid' && activation !== 'hardSigmoid') throw new Error(`unknown gate activation '${activation as string}'`);
  return { gate: scalarGate(activation), slope: scalarGateSlope(activation) };
}

/** Forward recurrence: per step the gates (after h_{t-1} U_zr), then the candidate and state (after (r ⊙ h_{t-1}) U_h). */
function gruForward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const xw = floatInput(inputs, 'xw', [null, null, null]);
    const [B, T, H3] = xw.shape as [number, number, number];
    const H = H3 / 3;
    if (!Number.isInteger(H) || H === 0) throw new Error(`xw's last axis must be 3 * units, got ${H3}`);
    const recurrentZR = floatInput(inputs, 'recurrentKernelZR', [H, 2 * H]);
    const recurrentH = floatInput(inputs, 'recurrentKernelH', [H, H]);
    const { gate } = gateFunctions(gateActivationAttr(attrs));
    const mem = memoryFor(backendName, backend);
    const outputs = [mem.allocate([B, T, H]), mem.allocate([B, T, H3]), mem.allocate([B, T, H])];
    const [hSeq, gates, resetHidden] = outputs;
    // h_{t-1} and r ⊙ h_{t-1} of the current step, contiguous [B,H] for the products.
    const hPrev = mem.allocate([B, H]);
    const resetStep = mem.allocate([B, H]);
    try {
      for (let t = 0; t < T; t++) {
        // h_{-1} = 0: the first step needs neither product.
        const rec = t === 0 ? undefined : mem.matMul(hPrev, recurrentZR);
        try {
          // Views are taken after each product: any allocation may grow the wasm heap and detach older views.
          const XW = mem.values(xw), R = rec === undefined ? undefined : mem.values(rec);
          const G = mem.values(gates), RH = mem.values(resetHidden), RS = mem.values(resetStep), HP = mem.values(hPrev);
          for (let b = 0; b < B; b++) {
            const xRow = (b * T + t) * H3, sRow = (b * T + t) * H, recRow = b * 2 * H;
            for (let j = 0; j < H; j++) {
              const z = gate(R === undefined ? XW[xRow + j] : XW[xRow + j] + R[recRow + j]);
              const r = gate(R === undefined ? XW[xRow + H + j] : XW[xRow + H + j] + R[recRow + H + j]);
              const rh = t === 0 ? 0 : r * HP[b * H + j];
              G[xRow + j] = z;
              G[xRow + H + j] = r;
              RH[sRow + j] = RS[b * H + j] = rh;
            }
          }
        } finally {
          if (rec !== undefined) mem.free(rec);
        }
        const recH = t === 0 ? undefined : mem.matMul(resetStep, recurrentH);
        try {
          const XW = mem.values(xw), R = recH === undefined ? undefined : mem.values(recH);
          const G = mem.values(gates), HS = mem.values(hSeq), HP = mem.values(hPrev);
          for (let b = 0; b < B; b++) {
            const xRow = (b * T + t) * H3, sRow = (b * T + t) * H;
            for (let j = 0; j < H; j++) {
              const candidate = Math.tanh(R === undefined ? XW[xRow + 2 * H + j] : XW[xRow + 2 * H + j] + R[b * H + j]);
              const z = G[xRow + j];
              const previous = t === 0 ? 0 : HP[b * H + j];
              G[xRow + 2 * H + j] = candidate;
              HS[sRow + j] = HP[b * H + j] = z * previous + (1 - z) * candidate;
            }
          }
        } finally {
          if (recH !== undefined) mem.free(recH);
        }
      }
    } catch (error) {
      for (const info of outputs) mem.free(info);
      throw error;
    } finally {
      mem.free(hPrev);
      mem.free(resetStep);
    }
    return outputs;
  };
}

/**
 * Back-propagation through time. Per step t (last to first), with dh_t the upstream gradient plus what flows back
 * from step t+1:
 *   dẑ = dh_t ⊙ (h_{t-1} - ĥ) ⊙ σ'(z)          dĥ = dh_t ⊙ (1 - z) ⊙ (1 - ĥ²)
 *   d(r ⊙ h_{t-1}) = dĥ U_hᵀ   (product 1)      dř = d(r ⊙ h_{t-1}) ⊙ h_{t-1} ⊙ σ'(r)
 *   dh_{t-1} += dh_t ⊙ z + d(r ⊙ h_{t-1}) ⊙ r + [dẑ | dř] U_zrᵀ   (product 2)
 * where dẑ, dř, dĥ are the gradients of the pre-activations, written to dxw.
 */
function gruBackward(backendName: string) {
  return ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const dh = floatInput(inputs, 'dh', [null, null, null]);
    const [B, T, H] = dh.shape as [number, number, number];
    const H3 = 3 * H;
    const gates = floatInput(inputs, 'gates', [B, T, H3]);
    const h = floatInput(inputs, 'h', [B, T, H]);
    const recurrentZRT = floatInput(inputs, 'recurrentKernelZRT', [2 * H, H]);
    const recurrentHT = floatInput(inputs, 'recurrentKernelHT', [H, H]);
    const { slope } = gateFunctions(gateActivationAttr(attrs));
    const mem = memoryFor(backendName, backend);
    const dxw = mem.allocate([B, T, H3]);
    // This step's dĥ and [dẑ | dř], contiguous for the products.
    const candidateStep = mem.allocate([B, H]);
    const gateStep = mem.allocate([B, 2 * H]);
    // The gradient flowing into h_t from later steps (zero after the last step).
    const carry = new Float32Array(B * H);
    try {
      for (let t = T - 1; t >= 0; t--) {
        {
          const DH = mem.values(dh), G = mem.values(gates), HS = mem.values(h);
          const DX = mem.values(dxw), CS = mem.values(candidateStep), GS = mem.values(gateStep);
          for (let b = 0; b < B; b++) {
            const xRow = (b * T + t) * H3, sRow = (b * T + t) * H;
            for (let j = 0; j < H; j++) {
              const dhTotal = DH[sRow + j] + carry[b * H + j];
              const z = G[xRow + j], candidate = G[xRow + 2 * H + j];
              const previous = t === 0 ? 0 : HS[sRow - H + j];
              const dz = dhTotal * (previous - candidate) * slope(z);
              const dCandidate = dhTotal * (1 - z) * (1 - candidate * candidate);
              DX[xRow + j] = GS[b * 2 * H + j] = dz;
              DX[xRow + 2 * H + j] = CS[b * H + j] = dCandidate;
              carry[b * H + j] = dhTotal * z;
              // h_{-1} = 0: no gradient reaches the reset gate at the first step.
              if (t === 0) DX[xRow + H + j] = 0;
            }
          }
        }
        if (t === 0) break;
        const dResetHidden = mem.matMul(candidateStep, recurrentHT);
        try {
          const DRH = mem.values(dResetHidden), G = mem.values(gates), HS = mem.values(h);
          const DX = mem.values(dxw), GS = mem.values(gateStep);
          for (let b = 0; b < B; b++) {
            const xRow = (b * T + t) * H3, sRow = (b * T + t) * H;
            for (let j = 0; j < H; j++) {
              const d = DRH[b * H + j], r = G[xRow + H + j];
              DX[xRow + H + j] = GS[b * 2 * H + H + j] = d * HS[sRow - H + j] * slope(r);
              carry[b * H + j] += d * r;
            }
          }
        } finally {
          mem.free(dResetHidden);
        }
        const dGates = mem.matMul(gateStep, recurrentZRT);
        try {
          const D = mem.values(dGates);
          for (let i = 0; i < B * H; i++) carry[i] += D[i];
        } finally {
          mem.free(dGates);
        }
      }
    } catch (error) {
      mem.free(dxw);
      throw error;
    } finally {
      mem.free(candidateStep);
      mem.free(gateStep);
    }
    return dxw;
  };
}

/** Both kernels, for wasm and cpu. Backends without them run the layer op by op. */
export const GRU_SEQUENCE_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: GRU_FORWARD_KERNEL, backendNames: HOST_MEMORY_BACKENDS, role: 'adds', make: (backendName) => asKernelFunc(gruForward(backendName)) },
  { kernelName: GRU_BACKWARD_KERNEL, backendNames: HOST_MEMORY_BACKENDS, role: 'adds', make: (backendName) => asKernelFunc(gruBackward(backendName)) },
];

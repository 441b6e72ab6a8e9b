/**
 * The course's hand-written SIMD routines, running on the wasm backend's own memory.
 *
 * Why: some training work is a long run of element-wise arithmetic that TF.js spreads over many small kernels
 * (Adam: 13 kernels per variable, each a pass over memory plus the engine's book-keeping). One pass of 128-bit SIMD
 * code over the tensors where they already are (the backend's heap) does the same arithmetic in the same order.
 * The module is assembled at start-up (wasm-assembler.ts) and imports the backend's memory, so pointers are the
 * tensors' byte offsets in that memory.
 */
import { lstmBackwardStepDefinition, lstmForwardStepDefinition } from './lstm-routines';
import { maxPoolGrad2x2Definition } from './max-pool-routine';
import { transposeDefinition } from './transpose-routine';
import { assembleModule, Code, f32, FunctionDefinition, i32, v128 } from './wasm-assembler';

export interface SimdRoutines {
  /**
   * Adam on `n` floats: m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
   * p' = p + (-lr) * (m' / c1) / (sqrt(v' / c2) + eps), with c1 = 1 - b1^t and c2 = 1 - b2^t.
   * Pointers are byte offsets; outputs may not overlap inputs other than their own.
   */
  adam(
    p: number, m: number, v: number, g: number, outP: number, outM: number, outV: number, n: number,
    b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, c1: number, c2: number, eps: number, negLr: number,
  ): void;
  /** out[c] = sum over r of x[r * cols + c], for an [rows, cols] float32 matrix (byte offsets). */
  columnSums(x: number, out: number, rows: number, cols: number): void;
  /** Max-pool backward, 2x2 windows, stride 2, NHWC, channels a multiple of 4 (max-pool-routine.ts). */
  maxPoolGrad2x2(x: number, dy: number, dx: number, batch: number, inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number): void;
  /** out [cols, rows] = x [rows, cols]^T for 4-byte elements (byte offsets). */
  transpose(x: number, out: number, rows: number, cols: number): void;
  /** One LSTM step forward, sigmoid or hard-sigmoid gates (parameters: lstm-routines.ts). */
  lstmForwardStep: LstmForwardStep;
  lstmForwardStepHard: LstmForwardStep;
  /** One LSTM step backward (parameters: lstm-routines.ts). */
  lstmBackwardStep: LstmBackwardStep;
  lstmBackwardStepHard: LstmBackwardStep;
}

type LstmForwardStep = (
  xw: number, rec: number, recStride: number, cPrev: number, cPrevStride: number, gates: number, c: number,
  tanhC: number, h: number, hNext: number, gateStride: number, seqStride: number, rows: number, units: number,
) => void;
type LstmBackwardStep = (
  dh: number, dhNext: number, dhNextStride: number, gates: number, cPrev: number, cPrevStride: number, tanhC: number,
  dcNext: number, dz: number, dzStep: number, gateStride: number, seqStride: number, rows: number, units: number,
) => void;

/** The lane operations the routines are written with: 4 floats at a time, or one for the tail. */
interface Lanes {
  load(c: Code): Code;
  store(c: Code): Code;
  add(c: Code): Code;
  mul(c: Code): Code;
  div(c: Code): Code;
  sqrt(c: Code): Code;
  width: number;
}
const VECTOR: Lanes = {
  load: (c) => c.v128Load(), store: (c) => c.v128Store(), add: (c) => c.f32x4Add(), mul: (c) => c.f32x4Mul(),
  div: (c) => c.f32x4Div(), sqrt: (c) => c.f32x4Sqrt(), width: 4,
};
const SCALAR: Lanes = {
  load: (c) => c.f32Load(), store: (c) => c.f32Store(), add: (c) => c.f32Add(), mul: (c) => c.f32Mul(),
  div: (c) => c.f32Div(), sqrt: (c) => c.f32Sqrt(), width: 1,
};

function adamDefinition(): FunctionDefinition {
  // Parameters: 0-6 pointers, 7 n, 8-15 the f32 constants (same order as SimdRoutines.adam).
  const [P, M, V, G, OUT_P, OUT_M, OUT_V, N] = [0, 1, 2, 3, 4, 5, 6, 7];
  const CONSTANTS = [8, 9, 10, 11, 12, 13, 14, 15]; // b1, 1-b1, b2, 1-b2, c1, c2, eps, -lr
  // Locals: 16 byte index, 17 end of the vector part, 18-25 splatted constants, 26-28 g, m', v' (vector), 29-31 (scalar).
  const I = 16, VECTOR_END = 17;
  const SPLAT = CONSTANTS.map((_, k) => 18 + k);
  const body = new Code();
  for (const [k, param] of CONSTANTS.entries()) body.get(param).f32x4Splat().set(SPLAT[k]);
  body.get(N).i32(-4).i32And().i32(2).i32Shl().set(VECTOR_END);

  const step = (lanes: Lanes, constants: number[], [g, m, v]: number[]) => (c: Code) => {
    const [b1, ob1, b2, ob2, c1, c2, eps, negLr] = constants;
    const at = (ptr: number) => c.get(ptr).get(I).i32Add();
    lanes.load(at(G)).set(g);
    // m' = b1 m + (1 - b1) g
    lanes.add(lanes.mul(lanes.mul(lanes.load(at(M)).get(b1)).get(g).get(ob1))).set(m);
    // v' = b2 v + (1 - b2) g^2
    lanes.add(lanes.mul(lanes.mul(lanes.mul(lanes.load(at(V)).get(b2)).get(g).get(g)).get(ob2))).set(v);
    lanes.store(at(OUT_M).get(m));
    lanes.store(at(OUT_V).get(v));
    // p' = (m'/c1) / (sqrt(v'/c2) + eps) * (-lr) + p
    at(OUT_P);
    lanes.div(c.get(m).get(c1));
    lanes.add(lanes.sqrt(lanes.div(c.get(v).get(c2))).get(eps));
    lanes.div(c);
    lanes.mul(c.get(negLr));
    lanes.add(lanes.load(at(P)));
    lanes.store(c);
  };
  body.forRange(I, (c) => c.i32(0), (c) => c.get(VECTOR_END), 16, step(VECTOR, SPLAT, [26, 27, 28]));
  body.forRange(I, (c) => c.get(VECTOR_END), (c) => c.get(N).i32(2).i32Shl(), 4, step(SCALAR, CONSTANTS, [29, 30, 31]));
  return {
    name: 'adam',
    params: [i32, i32, i32, i32, i32, i32, i32, i32, f32, f32, f32, f32, f32, f32, f32, f32],
    locals: [i32, i32, ...SPLAT.map(() => v128), v128, v128, v128, f32, f32, f32],
    body,
  };
}

function columnSumsDefinition(): FunctionDefinition {
  const [X, OUT, ROWS, COLS] = [0, 1, 2, 3];
  // Locals: 4 column byte index, 5 row byte index, 6 end of the vector columns, 7 row bytes, 8 end of the rows.
  const J = 4, ROW = 5, VECTOR_END = 6, ROW_BYTES = 7, ROWS_END = 8;
  const body = new Code();
  body.get(COLS).i32(2).i32Shl().set(ROW_BYTES);
  body.get(COLS).i32(-4).i32And().i32(2).i32Shl().set(VECTOR_END);
  body.get(ROWS).get(ROW_BYTES).i32Mul().set(ROWS_END);
  const zero = (lanes: Lanes) => (c: Code) => {
    c.get(OUT).get(J).i32Add();
    if (lanes === VECTOR) c.f32(0).f32x4Splat();
    else c.f32(0);
    lanes.store(c);
  };
  // The row sweep: out[j] += x[row + j]; each row is contiguous, the output stays in cache.
  const accumulate = (lanes: Lanes) => (c: Code) => {
    c.get(OUT).get(J).i32Add();
    lanes.load(c.get(OUT).get(J).i32Add());
    lanes.load(c.get(X).get(ROW).i32Add().get(J).i32Add());
    lanes.add(c);
    lanes.store(c);
  };
  const columns = (c: Code, step: (lanes: Lanes) => (c: Code) => void) => {
    c.forRange(J, (k) => k.i32(0), (k) => k.get(VECTOR_END), 16, step(VECTOR));
    c.forRange(J, (k) => k.get(VECTOR_END), (k) => k.get(ROW_BYTES), 4, step(SCALAR));
  };
  columns(body, zero);
  body.forRange(ROW, (c) => c.i32(0), (c) => c.get(ROWS_END), (c) => c.get(ROW_BYTES), (c) => columns(c, accumulate));
  return { name: 'columnSums', params: [i32, i32, i32, i32], locals: [i32, i32, i32, i32, i32], body };
}

const instances = new WeakMap<WebAssembly.Memory, SimdRoutines>();

/** The routines linked to `memory` (assembled and instantiated once per memory). */
export function simdRoutines(memory: WebAssembly.Memory): SimdRoutines {
  let routines = instances.get(memory);
  if (routines === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const definitions = [adamDefinition(), columnSumsDefinition(), transposeDefinition(), maxPoolGrad2x2Definition()];
    for (const gate of ['sigmoid', 'hardSigmoid'] as const) {
      definitions.push(lstmForwardStepDefinition(gate), lstmBackwardStepDefinition(gate));
    }
    const binary = assembleModule(definitions, shared);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), { env: { memory } });
    routines = instance.exports as unknown as SimdRoutines;
    instances.set(memory, routines);
  }
  return routines;
}

/** What the SIMD kernels need from the wasm backend: its module (for the memory), outputs, heap views. */
export interface SimdWasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: string }): Float32Array;
}

/** The routines linked to `backend`'s memory, and the byte offset of a tensor in it. */
export function simdOn(backend: SimdWasmBackend): { routines: SimdRoutines; offset: (info: { dataId: object; shape: number[]; dtype: string }) => number } {
  // The threaded build exposes its (shared) memory directly, the other as a module export.
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('the wasm backend does not expose its memory');
  return { routines: simdRoutines(memory), offset: (info) => backend.typedArrayFromHeap(info).byteOffset };
}

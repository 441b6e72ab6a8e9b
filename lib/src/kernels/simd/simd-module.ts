/**
 * The course's hand-written SIMD routines, running on the wasm backend's own memory.
 *
 * Why: some training work is a long run of element-wise arithmetic that TF.js spreads over many small kernels
 * (Adam: 13 kernels per variable, each a pass over memory plus the engine's book-keeping). One pass of 128-bit SIMD
 * code over the tensors where they already are (the backend's heap) does the same arithmetic in the same order.
 * The module is assembled at start-up (wasm-assembler.ts) and imports the backend's memory, so pointers are the
 * tensors' byte offsets in that memory.
 */
import { LSTM_BACKWARD_STEP_PARAMS, LSTM_FORWARD_STEP_PARAMS, lstmBackwardStepDefinition, lstmForwardStepDefinition } from './lstm-routines';
import {
  BATCH_NORM_APPLY_PARAMS,
  BATCH_NORM_GRAD_INPUT_PARAMS,
  BATCH_NORM_GRAD_SUMS_PARAMS,
  BATCH_NORM_SQUARED_DEVIATIONS_PARAMS,
  batchNormApplyDefinition,
  batchNormGradInputDefinition,
  batchNormGradSumsDefinition,
  batchNormSquaredDeviationsDefinition,
} from './batch-norm-routines';
import { BROADCAST_ROW_PARAMS, BROADCAST_SCALAR_PARAMS, broadcastRoutineDefinitions } from './broadcast-routines';
import { MAX_POOL_GRAD_2X2_PARAMS, maxPoolGrad2x2Definition } from './max-pool-routine';
import { SMALL_MATMUL_PARAMS, smallMatMulDefinition } from './small-matmul-routine';
import { TRANSPOSE_PARAMS, transposeDefinition } from './transpose-routine';
import { Lanes, SCALAR, VECTOR } from './lanes';
import { PositionalCall, SimdThreads } from './simd-threads';
import { assembleModule, Code, f32, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

/** A routine's arguments by name (all numbers: byte offsets, counts, or f32 constants). */
export type RoutineArgs<P extends readonly string[]> = { [K in P[number]]: number };

const ADAM_POINTERS = ['p', 'm', 'v', 'g', 'outP', 'outM', 'outV', 'n'] as const;
const ADAM_CONSTANTS = ['b1', 'oneMinusB1', 'b2', 'oneMinusB2', 'c1', 'c2', 'eps', 'negLr'] as const;
export const ADAM_PARAMS = [...ADAM_POINTERS, ...ADAM_CONSTANTS] as const;
export const COLUMN_SUMS_PARAMS = ['x', 'out', 'rows', 'cols'] as const;

/** Each routine with its arguments by name; the wrapper passes them in the routine's parameter order. */
export interface SimdRoutines {
  /**
   * Adam on `n` floats: m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
   * p' = p + (-lr) * (m' / c1) / (sqrt(v' / c2) + eps), with c1 = 1 - b1^t and c2 = 1 - b2^t.
   * Pointers are byte offsets; outputs may not overlap inputs other than their own.
   */
  adam(args: RoutineArgs<typeof ADAM_PARAMS>): void;
  /** out[c] = sum over r of x[r * cols + c], for an [rows, cols] float32 matrix (byte offsets). */
  columnSums(args: RoutineArgs<typeof COLUMN_SUMS_PARAMS>): void;
  /** Max-pool backward, 2x2 windows, stride 2, NHWC, channels a multiple of 4 (max-pool-routine.ts). */
  maxPoolGrad2x2(args: RoutineArgs<typeof MAX_POOL_GRAD_2X2_PARAMS>): void;
  /** Many small products out[i] = a[i] [m, k] x b[i] [k, n] (or out[i] +=), n a multiple of 4 (small-matmul-routine.ts). */
  smallMatMul(args: RoutineArgs<typeof SMALL_MATMUL_PARAMS>): void;
  smallMatMulAdd(args: RoutineArgs<typeof SMALL_MATMUL_PARAMS>): void;
  /**
   * Binary ops with a broadcast operand, by name: `${op}Scalar`, `${op}Row` and, for sub and div, `...First`
   * (broadcast-routines.ts).
   */
  broadcast: Record<string, (args: RoutineArgs<typeof BROADCAST_SCALAR_PARAMS> | RoutineArgs<typeof BROADCAST_ROW_PARAMS>) => void>;
  /** Batch normalisation, channels last: the forward pass and the two passes of its gradient (batch-norm-routines.ts). */
  batchNormSquaredDeviations(args: RoutineArgs<typeof BATCH_NORM_SQUARED_DEVIATIONS_PARAMS>): void;
  batchNormApply(args: RoutineArgs<typeof BATCH_NORM_APPLY_PARAMS>): void;
  batchNormGradSums(args: RoutineArgs<typeof BATCH_NORM_GRAD_SUMS_PARAMS>): void;
  batchNormGradInput(args: RoutineArgs<typeof BATCH_NORM_GRAD_INPUT_PARAMS>): void;
  /** out [cols, rows] = x [rows, cols]^T for 4-byte elements (byte offsets). */
  transpose(args: RoutineArgs<typeof TRANSPOSE_PARAMS>): void;
  /** One LSTM step forward, sigmoid or hard-sigmoid gates (parameters: lstm-routines.ts). */
  lstmForwardStep(args: RoutineArgs<typeof LSTM_FORWARD_STEP_PARAMS>): void;
  lstmForwardStepHard(args: RoutineArgs<typeof LSTM_FORWARD_STEP_PARAMS>): void;
  /** One LSTM step backward (parameters: lstm-routines.ts). */
  lstmBackwardStep(args: RoutineArgs<typeof LSTM_BACKWARD_STEP_PARAMS>): void;
  lstmBackwardStepHard(args: RoutineArgs<typeof LSTM_BACKWARD_STEP_PARAMS>): void;
}

function adamDefinition(): FunctionDefinition {
  const routine = new Routine('adam');
  const { p: P, m: M, v: V, g: G, outP: OUT_P, outM: OUT_M, outV: OUT_V, n: N } = routine.params(ADAM_POINTERS, i32);
  const constants = routine.params(ADAM_CONSTANTS, f32);
  const CONSTANTS = ADAM_CONSTANTS.map((name) => constants[name]);
  // Byte index, end of the vector part, the constants splatted, g, m', v' as vectors and as scalars (the tail).
  const { i: I, vectorEnd: VECTOR_END } = routine.locals(['i', 'vectorEnd'], i32);
  const SPLAT = ADAM_CONSTANTS.map((name) => routine.local(`${name}x4`, v128));
  const vectorGMV = ['gx4', 'mNextx4', 'vNextx4'].map((name) => routine.local(name, v128));
  const scalarGMV = ['gScalar', 'mNext', 'vNext'].map((name) => routine.local(name, f32));
  const body = routine.body;
  for (const [k, param] of CONSTANTS.entries()) body.get(param).f32x4Splat().set(SPLAT[k]);
  body.get(N).i32(-4).i32And().i32(2).i32Shl().set(VECTOR_END);

  const step = (lanes: Lanes, constants: Local[], [g, m, v]: Local[]) => (c: Code) => {
    const [b1, ob1, b2, ob2, c1, c2, eps, negLr] = constants;
    const at = (ptr: Local) => c.get(ptr).get(I).i32Add();
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
  body.forRange(I, (c) => c.i32(0), (c) => c.get(VECTOR_END), 16, step(VECTOR, SPLAT, vectorGMV));
  body.forRange(I, (c) => c.get(VECTOR_END), (c) => c.get(N).i32(2).i32Shl(), 4, step(SCALAR, CONSTANTS, scalarGMV));
  return routine.definition();
}

function columnSumsDefinition(): FunctionDefinition {
  const routine = new Routine('columnSums');
  const { x: X, out: OUT, rows: ROWS, cols: COLS } = routine.params(COLUMN_SUMS_PARAMS);
  // Column byte index, row byte index, end of the vector columns, bytes per row, end of the rows.
  const { j: J, row: ROW, vectorEnd: VECTOR_END, rowBytes: ROW_BYTES, rowsEnd: ROWS_END } = routine.locals(['j', 'row', 'vectorEnd', 'rowBytes', 'rowsEnd'], i32);
  const body = routine.body;
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
  return routine.definition();
}

/** Every routine of the module, in export order. */
export function simdRoutineDefinitions(): FunctionDefinition[] {
  const definitions = [
    adamDefinition(), columnSumsDefinition(), transposeDefinition(), maxPoolGrad2x2Definition(),
    batchNormSquaredDeviationsDefinition(), batchNormApplyDefinition(), batchNormGradSumsDefinition(), batchNormGradInputDefinition(),
    smallMatMulDefinition(false), smallMatMulDefinition(true),
    ...broadcastRoutineDefinitions(),
  ];
  for (const gate of ['sigmoid', 'hardSigmoid'] as const) {
    definitions.push(lstmForwardStepDefinition(gate), lstmBackwardStepDefinition(gate));
  }
  return definitions;
}

/** The exported function called with named arguments, in its parameter order; a missing argument is an error. */
function namedArguments(name: string, exported: (...args: number[]) => void, paramNames: readonly string[]) {
  return (args: Record<string, number>) => {
    const values = paramNames.map((param) => {
      const value = args[param];
      if (typeof value !== 'number') throw new Error(`SIMD routine ${name}: argument ${param} is ${value}`);
      return value;
    });
    exported(...values);
  };
}

/** A routine call by name, with named arguments (as the routines take them). */
export interface NamedCall {
  routine: string;
  args: Record<string, number>;
}

/** The routines, and a way to run lists of calls on every thread the backend uses. */
export interface ThreadedRoutines {
  routines: SimdRoutines;
  /** How many lists `parallel` runs at once (1 where the memory is not shared). */
  threads: number;
  /** Run each list on its own thread (the first on this one), all at once; lists must write to disjoint memory. */
  parallel(lists: NamedCall[][]): void;
}

const instances = new WeakMap<WebAssembly.Memory, ThreadedRoutines>();

/**
 * The routines linked to `memory` (assembled and instantiated once per memory), with `helpers` more threads where
 * the memory is shared.
 */
export function simdRoutines(memory: WebAssembly.Memory, helpers = 0): ThreadedRoutines {
  let linked = instances.get(memory);
  if (linked === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const definitions = simdRoutineDefinitions();
    const module = new WebAssembly.Module(assembleModule(definitions, shared));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const exports = instance.exports as Record<string, (...args: number[]) => void>;
    const paramNames = definitions.map((d) => (d.localNames ?? []).slice(0, d.params.length));
    const wrapped = definitions.map((d, i) => [d.name, namedArguments(d.name, exports[d.name], paramNames[i])]);
    const byName = Object.fromEntries(wrapped);
    const routines = { ...byName, broadcast: byName } as unknown as SimdRoutines;
    const names = definitions.map((d) => d.name);
    const threads = shared && helpers > 0 ? new SimdThreads(module, memory, names, helpers) : undefined;
    const positional = ({ routine, args }: NamedCall): PositionalCall => {
      const index = names.indexOf(routine);
      if (index < 0) throw new Error(`no SIMD routine named ${routine}`);
      return { routine: index, args: paramNames[index].map((param) => args[param]) };
    };
    const runHere = (call: PositionalCall) => exports[names[call.routine]](...call.args);
    linked = {
      routines,
      threads: threads?.threads ?? 1,
      parallel: (lists) => {
        if (threads === undefined) {
          for (const call of lists.flat()) (byName[call.routine] as (args: Record<string, number>) => void)(call.args);
          return;
        }
        threads.run(lists.map((calls) => calls.map(positional)), runHere);
      },
    };
    instances.set(memory, linked);
  }
  return linked;
}

/** What the SIMD kernels need from the wasm backend: its module (for the memory), outputs, heap views. */
export interface SimdWasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: string }): Float32Array;
}

/** The routines linked to `backend`'s memory (on as many threads as the backend), and a tensor's byte offset. */
export function simdOn(backend: SimdWasmBackend): ThreadedRoutines & { offset: (info: { dataId: object; shape: number[]; dtype: string }) => number } {
  // The threaded build exposes its (shared) memory directly, the other as a module export.
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('the wasm backend does not expose its memory');
  const helpers = (require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number }).getThreadsCount() - 1;
  return { ...simdRoutines(memory, helpers), offset: (info) => backend.typedArrayFromHeap(info).byteOffset };
}

/**
 * One LSTM time step's element-wise work, forward and backward, as SIMD routines (see lstm-kernels.ts for the
 * recurrence around them). Everything between two recurrent matrix products happens in one pass here: gate
 * activations, cell and hidden state forward; all four gate gradients and the cell gradient backward.
 *
 * Rows are batch entries; each routine walks `rows` rows of `units` floats (a multiple of 4), advancing every pointer
 * by its own stride in bytes after each row. A stride of 0 re-reads the same row: a zero row then stands for h_{-1},
 * c_{-1} or dh_{T}. Gate order i, f, c, o as tf.layers.lstm.
 */
import { Code, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';
import { vectorSigmoid } from './vector-math';

export type GateFunction = 'sigmoid' | 'hardSigmoid';

/** The loop skeleton both routines share: rows outside, 4-unit vectors inside. */
function rowLoop(
  body: Code,
  { rows, units, row, j, blockBytes }: { rows: Local; units: Local; row: Local; j: Local; blockBytes: Local[] },
  vectors: (c: Code) => void,
  advance: (c: Code) => void,
): void {
  // blockBytes[k] = k * units * 4: the byte offset of gate block k within a row.
  body.get(units).i32(2).i32Shl().set(blockBytes[1]);
  body.get(blockBytes[1]).i32(1).i32Shl().set(blockBytes[2]);
  body.get(blockBytes[1]).get(blockBytes[2]).i32Add().set(blockBytes[3]);
  body.forRange(row, (c) => c.i32(0), (c) => c.get(rows), 1, (c) => {
    c.forRange(j, (k) => k.i32(0), (k) => k.get(blockBytes[1]), 16, vectors);
    advance(c);
  });
}

/** Pointer helpers for a body: the address of vector `j` of gate block `block` in the row at `ptr`. */
function addressing(c: Code, j: Local, blockBytes: Local[]) {
  const at = (ptr: Local, block = 0) => {
    c.get(ptr).get(j).i32Add();
    if (block > 0) c.get(blockBytes[block]).i32Add();
    return c;
  };
  return {
    at,
    load: (ptr: Local, block = 0) => at(ptr, block).v128Load(),
    /** Store the v128 held in `local`. */
    store: (ptr: Local, block: number, local: Local) => at(ptr, block).get(local).v128Store(),
    /** ptr += stride (a local holding bytes). */
    advance: (ptr: Local, stride: Local) => c.get(ptr).get(stride).i32Add().set(ptr),
  };
}

/**
 * Forward step: z = xw_t + h_{t-1} U (both given), gates i f o = gate(z), g = tanh(z_c), c = f c_{t-1} + i g,
 * h = o tanh(c). Writes the activated gates, c, tanh(c) and h (into the sequence outputs and the next step's h).
 *
 * xw and gates share gateStride; c, tanhC and h share seqStride; hNext is contiguous. Pointers and strides in bytes.
 */
export const LSTM_FORWARD_STEP_PARAMS = [
  'xw', 'rec', 'recStride', 'cPrev', 'cPrevStride', 'gates', 'c', 'tanhC', 'h', 'hNext', 'gateStride', 'seqStride', 'rows', 'units',
] as const;

export function lstmForwardStepDefinition(gate: GateFunction): FunctionDefinition {
  const routine = new Routine(gate === 'sigmoid' ? 'lstmForwardStep' : 'lstmForwardStepHard');
  const p = routine.params(LSTM_FORWARD_STEP_PARAMS);
  const [XW, REC, REC_STRIDE, C_PREV, C_PREV_STRIDE, GATES, C, TANH_C, H, H_NEXT, GATE_STRIDE, SEQ_STRIDE, ROWS, UNITS] = LSTM_FORWARD_STEP_PARAMS.map((name) => p[name]);
  const { row: ROW, j: J, blockBytes1, blockBytes2, blockBytes3 } = routine.locals(['row', 'j', 'blockBytes1', 'blockBytes2', 'blockBytes3'], i32);
  const blockBytes = [ROW, blockBytes1, blockBytes2, blockBytes3]; // [0] unused: block 0 starts at the row
  const { i: I, f: F, g: G, o: O, cell: CELL, tanhCell: TC, hidden: HV, point2: POINT2, half: HALF, zero: ZERO } = routine.locals(
    ['i', 'f', 'g', 'o', 'cell', 'tanhCell', 'hidden', 'point2', 'half', 'zero'], v128);
  const math = vectorSigmoid(routine);
  const body = routine.body;
  math.init(body);
  body.f32(0.2).f32x4Splat().set(POINT2).f32(0.5).f32x4Splat().set(HALF).f32(0).f32x4Splat().set(ZERO);
  const activate = (c: Code) => {
    if (gate === 'sigmoid') math.sigmoid(c);
    else c.get(POINT2).f32x4Mul().get(HALF).f32x4Add().get(ZERO).f32x4Max().get(math.one).f32x4Min();
  };

  rowLoop(
    body,
    { rows: ROWS, units: UNITS, row: ROW, j: J, blockBytes },
    (c) => {
      const { load, store } = addressing(c, J, blockBytes);
      const preActivation = (block: number) => {
        load(XW, block);
        load(REC, block);
        c.f32x4Add();
      };
      for (const [block, local] of [[0, I], [1, F], [3, O]] as [number, Local][]) {
        preActivation(block);
        activate(c);
        c.set(local);
      }
      preActivation(2);
      math.tanh(c);
      c.set(G);
      // c = f c_{t-1} + i g; h = o tanh(c)
      c.get(F);
      load(C_PREV);
      c.f32x4Mul().get(I).get(G).f32x4Mul().f32x4Add().set(CELL);
      c.get(CELL);
      math.tanh(c);
      c.set(TC).get(O).get(TC).f32x4Mul().set(HV);
      [I, F, G, O].forEach((local, block) => store(GATES, block, local));
      store(C, 0, CELL);
      store(TANH_C, 0, TC);
      store(H, 0, HV);
      store(H_NEXT, 0, HV);
    },
    (c) => {
      const { advance } = addressing(c, J, blockBytes);
      for (const ptr of [XW, GATES]) advance(ptr, GATE_STRIDE);
      for (const ptr of [C, TANH_C, H]) advance(ptr, SEQ_STRIDE);
      advance(REC, REC_STRIDE);
      advance(C_PREV, C_PREV_STRIDE);
      advance(H_NEXT, blockBytes[1]);
    },
  );
  return routine.definition();
}

/**
 * Backward step (back-propagation through time, step t): from dh_t (the output gradient plus dh_{t+1} U^T) and the
 * saved gates, c_{t-1} and tanh(c_t), the gradient of the pre-activations dz_t; carries the cell gradient in dcNext
 * (read, then overwritten with dc_t f_t for step t-1).
 *
 * dh and tanhC share seqStride; gates and dz share gateStride; dcNext and dzStep are contiguous.
 */
export const LSTM_BACKWARD_STEP_PARAMS = [
  'dh', 'dhNext', 'dhNextStride', 'gates', 'cPrev', 'cPrevStride', 'tanhC', 'dcNext', 'dz', 'dzStep', 'gateStride', 'seqStride', 'rows', 'units',
] as const;

export function lstmBackwardStepDefinition(gate: GateFunction): FunctionDefinition {
  const routine = new Routine(gate === 'sigmoid' ? 'lstmBackwardStep' : 'lstmBackwardStepHard');
  const p = routine.params(LSTM_BACKWARD_STEP_PARAMS);
  const [DH, DH_NEXT, DH_NEXT_STRIDE, GATES, C_PREV, C_PREV_STRIDE, TANH_C, DC_NEXT, DZ, DZ_STEP, GATE_STRIDE, SEQ_STRIDE, ROWS, UNITS] = LSTM_BACKWARD_STEP_PARAMS.map((name) => p[name]);
  const { row: ROW, j: J, blockBytes1, blockBytes2, blockBytes3 } = routine.locals(['row', 'j', 'blockBytes1', 'blockBytes2', 'blockBytes3'], i32);
  const blockBytes = [ROW, blockBytes1, blockBytes2, blockBytes3]; // [0] unused: block 0 starts at the row
  const { dhTotal: DHT, i: I, f: F, g: G, o: O, tanhCell: TC, dc: DC, one: ONE, point2: POINT2, zero: ZERO, y: Y, value: V } = routine.locals(
    ['dhTotal', 'i', 'f', 'g', 'o', 'tanhCell', 'dc', 'one', 'point2', 'zero', 'y', 'value'], v128);
  const body = routine.body;
  body.f32(1).f32x4Splat().set(ONE).f32(0.2).f32x4Splat().set(POINT2).f32(0).f32x4Splat().set(ZERO);
  /** Replaces a gate output y on the stack by the gate function's slope there. */
  const slope = (c: Code) => {
    c.set(Y);
    if (gate === 'sigmoid') c.get(Y).get(ONE).get(Y).f32x4Sub().f32x4Mul();
    else c.get(Y).get(ZERO).f32x4Gt().get(Y).get(ONE).f32x4Lt().v128And().get(POINT2).v128And();
  };

  rowLoop(
    body,
    { rows: ROWS, units: UNITS, row: ROW, j: J, blockBytes },
    (c) => {
      const { load, store } = addressing(c, J, blockBytes);
      load(DH);
      load(DH_NEXT);
      c.f32x4Add().set(DHT);
      [I, F, G, O].forEach((local, block) => load(GATES, block).set(local));
      load(TANH_C).set(TC);
      // dc = dh o (1 - tanh^2 c) + dc_{t+1} f_{t+1}; then carry dc f for step t-1
      c.get(DHT).get(O).f32x4Mul().get(ONE).get(TC).get(TC).f32x4Mul().f32x4Sub().f32x4Mul();
      load(DC_NEXT);
      c.f32x4Add().set(DC);
      c.get(DC).get(F).f32x4Mul().set(V);
      store(DC_NEXT, 0, V);
      const gradient = (block: number, value: () => void) => {
        value();
        c.set(V);
        store(DZ, block, V);
        store(DZ_STEP, block, V);
      };
      gradient(0, () => { c.get(DC).get(G).f32x4Mul().get(I); slope(c); c.f32x4Mul(); });
      gradient(1, () => { c.get(DC); load(C_PREV); c.f32x4Mul().get(F); slope(c); c.f32x4Mul(); });
      gradient(2, () => void c.get(DC).get(I).f32x4Mul().get(ONE).get(G).get(G).f32x4Mul().f32x4Sub().f32x4Mul());
      gradient(3, () => { c.get(DHT).get(TC).f32x4Mul().get(O); slope(c); c.f32x4Mul(); });
    },
    (c) => {
      const { advance } = addressing(c, J, blockBytes);
      for (const ptr of [DH, TANH_C]) advance(ptr, SEQ_STRIDE);
      for (const ptr of [GATES, DZ]) advance(ptr, GATE_STRIDE);
      advance(DH_NEXT, DH_NEXT_STRIDE);
      advance(C_PREV, C_PREV_STRIDE);
      advance(DC_NEXT, blockBytes[1]);
      // dzStep rows are 4 units wide
      c.get(DZ_STEP).get(blockBytes[1]).i32(2).i32Shl().i32Add().set(DZ_STEP);
    },
  );
  return routine.definition();
}

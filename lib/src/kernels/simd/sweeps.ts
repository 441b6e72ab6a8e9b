/** Loops shared by the element-wise SIMD routines: four lanes at a time, then one for the tail. */
import { Lanes, SCALAR, VECTOR } from './lanes';
import { Code, i32, Local, Routine } from './wasm-assembler';

/**
 * Sweeps the rows; `element(lanes, at, channel)` emits the work on one group of lanes, where `at(ptr)` pushes the
 * address of the current element of a [rows, cols] array and `channel(ptr)` that of a per-channel array.
 */
export function sweepRows(
  routine: Routine,
  rows: Local,
  cols: Local,
  element: (c: Code, lanes: Lanes, at: (ptr: Local) => Code, channel: (ptr: Local) => Code) => void,
): void {
  const { j: J, row: ROW, vectorEnd: VECTOR_END, rowBytes: ROW_BYTES, rowsEnd: ROWS_END } = routine.locals(['j', 'row', 'vectorEnd', 'rowBytes', 'rowsEnd'], i32);
  const body = routine.body;
  body.get(cols).i32(2).i32Shl().set(ROW_BYTES);
  body.get(cols).i32(-4).i32And().i32(2).i32Shl().set(VECTOR_END);
  body.get(rows).get(ROW_BYTES).i32Mul().set(ROWS_END);
  const columns = (c: Code) => {
    for (const [lanes, start, end] of [
      [VECTOR, (k: Code) => k.i32(0), (k: Code) => k.get(VECTOR_END)],
      [SCALAR, (k: Code) => k.get(VECTOR_END), (k: Code) => k.get(ROW_BYTES)],
    ] as const) {
      c.forRange(J, start, end, 4 * lanes.width, (k) =>
        element(k, lanes, (ptr) => k.get(ptr).get(ROW).i32Add().get(J).i32Add(), (ptr) => k.get(ptr).get(J).i32Add()),
      );
    }
  };
  body.forRange(ROW, (c) => c.i32(0), (c) => c.get(ROWS_END), (c) => c.get(ROW_BYTES), columns);
}

/**
 * Sweeps `n` elements; `element(lanes, at)` emits the work on one group of lanes, where `at(ptr)` pushes the address
 * of the current element of an array of n.
 */
export function sweepFlat(routine: Routine, n: Local, element: (c: Code, lanes: Lanes, at: (ptr: Local) => Code) => void): void {
  const { i: I, vectorEnd: VECTOR_END, end: END } = routine.locals(['i', 'vectorEnd', 'end'], i32);
  const body = routine.body;
  body.get(n).i32(-4).i32And().i32(2).i32Shl().set(VECTOR_END);
  body.get(n).i32(2).i32Shl().set(END);
  for (const [lanes, start, end] of [
    [VECTOR, (k: Code) => k.i32(0), (k: Code) => k.get(VECTOR_END)],
    [SCALAR, (k: Code) => k.get(VECTOR_END), (k: Code) => k.get(END)],
  ] as const) {
    body.forRange(I, start, end, 4 * lanes.width, (k) => element(k, lanes, (ptr) => k.get(ptr).get(I).i32Add()));
  }
}

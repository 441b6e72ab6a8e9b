/**
 * Matrix transpose of 4-byte elements (float32 or int32) in 4x4 SIMD blocks: four rows loaded, re-shuffled into four
 * columns, stored as four output rows. The ragged right and bottom edges go element by element.
 */
import { Code, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

/** transpose(x, out, rows, cols): out [cols, rows] = x [rows, cols]^T, byte offsets. */
export const TRANSPOSE_PARAMS = ['x', 'out', 'rows', 'cols'] as const;

export function transposeDefinition(): FunctionDefinition {
  const routine = new Routine('transpose');
  const { x: X, out: OUT, rows: ROWS, cols: COLS } = routine.params(TRANSPOSE_PARAMS);
  // Row, column, row stride in (cols * 4) and out (rows * 4), the 4-aligned row and column counts.
  const { r: R, c: C, inRow: IN_ROW, outRow: OUT_ROW, rows4: ROWS4, cols4: COLS4 } = routine.locals(['r', 'c', 'inRow', 'outRow', 'rows4', 'cols4'], i32);
  const { r0: R0, r1: R1, r2: R2, r3: R3, t0: T0, t1: T1, t2: T2, t3: T3 } = routine.locals(['r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3'], v128);
  const body = routine.body;
  body.get(COLS).i32(2).i32Shl().set(IN_ROW);
  body.get(ROWS).i32(2).i32Shl().set(OUT_ROW);
  body.get(ROWS).i32(-4).i32And().set(ROWS4);
  body.get(COLS).i32(-4).i32And().set(COLS4);
  /** Byte address of element (row, col) of a matrix at `base` with `rowBytes` per row. */
  const address = (c: Code, base: Local, row: (c: Code) => void, rowBytes: Local, col: (c: Code) => void) => {
    c.get(base);
    row(c);
    c.get(rowBytes).i32Mul().i32Add();
    col(c);
    c.i32(2).i32Shl().i32Add();
  };
  const plus = (local: Local, k: number) => (c: Code) => void c.get(local).i32(k).i32Add();
  const at = (local: Local) => (c: Code) => void c.get(local);
  const block = (c: Code) => {
    [R0, R1, R2, R3].forEach((local, k) => {
      address(c, X, plus(R, k), IN_ROW, at(C));
      c.v128Load().set(local);
    });
    c.get(R0).get(R1).lanes32Shuffle([0, 4, 1, 5]).set(T0);
    c.get(R0).get(R1).lanes32Shuffle([2, 6, 3, 7]).set(T1);
    c.get(R2).get(R3).lanes32Shuffle([0, 4, 1, 5]).set(T2);
    c.get(R2).get(R3).lanes32Shuffle([2, 6, 3, 7]).set(T3);
    const columns: [Local, Local, [number, number, number, number]][] = [
      [T0, T2, [0, 1, 4, 5]], [T0, T2, [2, 3, 6, 7]], [T1, T3, [0, 1, 4, 5]], [T1, T3, [2, 3, 6, 7]],
    ];
    columns.forEach(([a, b, lanes], k) => {
      address(c, OUT, plus(C, k), OUT_ROW, at(R));
      c.get(a).get(b).lanes32Shuffle(lanes).v128Store();
    });
  };
  const element = (c: Code) => {
    address(c, OUT, at(C), OUT_ROW, at(R));
    address(c, X, at(R), IN_ROW, at(C));
    c.i32Load().i32Store();
  };
  const zero = (c: Code) => void c.i32(0);
  body.forRange(R, zero, at(ROWS4), 4, (c) => c.forRange(C, zero, at(COLS4), 4, block));
  // Right edge (columns past the last block of 4) for the block rows, then the bottom rows in full.
  body.forRange(R, zero, at(ROWS4), 1, (c) => c.forRange(C, at(COLS4), at(COLS), 1, element));
  body.forRange(R, at(ROWS4), at(ROWS), 1, (c) => c.forRange(C, zero, at(COLS), 1, element));
  return routine.definition();
}

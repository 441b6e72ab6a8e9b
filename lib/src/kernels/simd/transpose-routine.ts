/**
 * Matrix transpose of 4-byte elements (float32 or int32) in 4x4 SIMD blocks: four rows loaded, re-shuffled into four
 * columns, stored as four output rows. The ragged right and bottom edges go element by element.
 */
import { Code, FunctionDefinition, i32, v128 } from './wasm-assembler';

/** transpose(x, out, rows, cols): out [cols, rows] = x [rows, cols]^T, byte offsets. */
export function transposeDefinition(): FunctionDefinition {
  const [X, OUT, ROWS, COLS] = [0, 1, 2, 3];
  // i32 locals: row, column, row stride in (cols * 4) and out (rows * 4), the 4-aligned row and column counts.
  const [R, C, IN_ROW, OUT_ROW, ROWS4, COLS4] = [4, 5, 6, 7, 8, 9];
  const [R0, R1, R2, R3, T0, T1, T2, T3] = [10, 11, 12, 13, 14, 15, 16, 17];
  const body = new Code();
  body.get(COLS).i32(2).i32Shl().set(IN_ROW);
  body.get(ROWS).i32(2).i32Shl().set(OUT_ROW);
  body.get(ROWS).i32(-4).i32And().set(ROWS4);
  body.get(COLS).i32(-4).i32And().set(COLS4);
  /** Byte address of element (row, col) of a matrix at `base` with `rowBytes` per row. */
  const address = (c: Code, base: number, row: (c: Code) => void, rowBytes: number, col: (c: Code) => void) => {
    c.get(base);
    row(c);
    c.get(rowBytes).i32Mul().i32Add();
    col(c);
    c.i32(2).i32Shl().i32Add();
  };
  const plus = (local: number, k: number) => (c: Code) => void c.get(local).i32(k).i32Add();
  const at = (local: number) => (c: Code) => void c.get(local);
  const block = (c: Code) => {
    [R0, R1, R2, R3].forEach((local, k) => {
      address(c, X, plus(R, k), IN_ROW, at(C));
      c.v128Load().set(local);
    });
    c.get(R0).get(R1).lanes32Shuffle([0, 4, 1, 5]).set(T0);
    c.get(R0).get(R1).lanes32Shuffle([2, 6, 3, 7]).set(T1);
    c.get(R2).get(R3).lanes32Shuffle([0, 4, 1, 5]).set(T2);
    c.get(R2).get(R3).lanes32Shuffle([2, 6, 3, 7]).set(T3);
    const columns: [number, number, [number, number, number, number]][] = [
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
  return {
    name: 'transpose',
    params: [i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, ...Array(8).fill(v128)],
    body,
  };
}

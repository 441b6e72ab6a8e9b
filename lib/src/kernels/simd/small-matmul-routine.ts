/**
 * Many small matrix products at once: out[i] = a[i] [m, k] x b[i] [k, n] for every i of the batch, row-major float32,
 * n a multiple of 4. Output rows are built two at a time, 16 columns at a time in eight SIMD accumulators (then 4
 * columns at a time): for every p, a[r, p] is splatted and multiplied with b's row p. No packing and no threads: for the attention
 * products of a small Transformer ([64 x 4 heads] products of 64 x 64 by 64 x 16) the stock kernel's per-matrix set-up
 * costs more than the arithmetic.
 */
import { Code, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

/**
 * smallMatMul(a, b, out, batch, m, k, n, aRowBytes); a, b, out byte offsets; a's rows are aRowBytes apart (k * 4 for
 * a plain matrix; more for a block of columns of a wider one), the matrices of a batch m * aRowBytes apart.
 * `smallMatMulAdd` adds the product to out instead of storing it.
 */
export const SMALL_MATMUL_PARAMS = ['a', 'b', 'out', 'batch', 'm', 'k', 'n', 'aRowBytes'] as const;

export function smallMatMulDefinition(accumulate: boolean): FunctionDefinition {
  const routine = new Routine(accumulate ? 'smallMatMulAdd' : 'smallMatMul');
  const { a: A, b: B, out: OUT, batch: BATCH, m: M, k: K, n: N, aRowBytes: A_ROW_BYTES } = routine.params(SMALL_MATMUL_PARAMS);
  // Counters (matrix, row, byte column, byte step along a's row), b's row bytes, a's row bytes, the end of the
  // 16-column blocks (bytes), the current rows of a and out, and the walking pointer into b.
  const l = routine.locals(['matrix', 'row', 'col', 'p', 'bRowBytes', 'kBytes', 'blocksEnd', 'pairsEnd', 'aRow', 'outRow', 'bAt'], i32);
  const [MATRIX, ROW, COL, P, B_ROW, K_BYTES, BLOCKS_END, PAIRS_END, A_ROW, OUT_ROW, B_AT] = [
    l.matrix, l.row, l.col, l.p, l.bRowBytes, l.kBytes, l.blocksEnd, l.pairsEnd, l.aRow, l.outRow, l.bAt,
  ];
  // Accumulators for two rows of four vectors (acc<row><vector>), and a's two values splatted.
  const ACC = [0, 1].map((r) => [0, 1, 2, 3].map((q) => routine.local(`acc${r}${q}`, v128)));
  const SPLAT = [0, 1].map((r) => routine.local(`aSplat${r}`, v128));
  const body = routine.body;
  body.get(N).i32(2).i32Shl().set(B_ROW);
  body.get(K).i32(2).i32Shl().set(K_BYTES);
  body.get(N).i32(-16).i32And().i32(2).i32Shl().set(BLOCKS_END);
  body.get(M).i32(-2).i32And().set(PAIRS_END);
  const zero = (c: Code) => void c.i32(0);
  const get = (local: Local) => (c: Code) => void c.get(local);
  /** Pushes the address of row r (0 or 1 below the current one) of a or out, plus COL for out. */
  const aRow = (c: Code, r: number) => (r === 0 ? c.get(A_ROW) : c.get(A_ROW).get(A_ROW_BYTES).i32Add());
  const outAt = (c: Code, r: number) => (r === 0 ? c.get(OUT_ROW) : c.get(OUT_ROW).get(B_ROW).i32Add()).get(COL).i32Add();

  /**
   * One block: `rows` rows (1 or 2) by `width` vectors (4 columns each) from byte column COL. Two rows share every
   * load of b, which halves the reads of b per multiply.
   */
  const block = (rows: number, width: number) => (c: Code) => {
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < width; q++) {
        if (accumulate) outAt(c, r).v128Load(16 * q).set(ACC[r][q]);
        else c.f32(0).f32x4Splat().set(ACC[r][q]);
      }
    }
    c.get(B).get(COL).i32Add().set(B_AT);
    c.forRange(P, zero, get(K_BYTES), 4, (k) => {
      for (let r = 0; r < rows; r++) aRow(k, r).get(P).i32Add().f32Load().f32x4Splat().set(SPLAT[r]);
      for (let q = 0; q < width; q++) {
        for (let r = 0; r < rows; r++) {
          k.get(ACC[r][q]).get(SPLAT[r]).get(B_AT).v128Load(16 * q).f32x4Mul().f32x4Add().set(ACC[r][q]);
        }
      }
      k.get(B_AT).get(B_ROW).i32Add().set(B_AT);
    });
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < width; q++) outAt(c, r).get(ACC[r][q]).v128Store(16 * q);
    }
  };
  /** `rows` rows of out, then a and out move on by as many rows. */
  const rowsOf = (rows: number) => (c: Code) => {
    c.forRange(COL, zero, get(BLOCKS_END), 64, block(rows, 4));
    c.forRange(COL, get(BLOCKS_END), get(B_ROW), 16, block(rows, 1));
    for (let r = 0; r < rows; r++) {
      c.get(A_ROW).get(A_ROW_BYTES).i32Add().set(A_ROW);
      c.get(OUT_ROW).get(B_ROW).i32Add().set(OUT_ROW);
    }
  };

  body.forRange(MATRIX, zero, get(BATCH), 1, (c) => {
    c.get(A).set(A_ROW);
    c.get(OUT).set(OUT_ROW);
    c.forRange(ROW, zero, get(PAIRS_END), 2, rowsOf(2));
    c.forRange(ROW, get(PAIRS_END), get(M), 1, rowsOf(1));
    // The next matrices: a and out follow on from the last rows; b moves by k rows.
    c.get(A_ROW).set(A);
    c.get(OUT_ROW).set(OUT);
    c.get(B).get(K).get(B_ROW).i32Mul().i32Add().set(B);
  });
  return routine.definition();
}

/**
 * Many small matrix products at once: out[i] = a[i] [m, k] x b[i] [k, n] for every i of the batch, row-major float32,
 * n a multiple of 4. Each output row is built 16 columns at a time in four SIMD accumulators (then 4 at a time):
 * for every p, a[r, p] is splatted and multiplied with b's row p. No packing and no threads: for the attention
 * products of a small Transformer ([64 x 4 heads] products of 64 x 64 by 64 x 16) the stock kernel's per-matrix set-up
 * costs more than the arithmetic.
 */
import { Code, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

/** smallMatMul(a, b, out, batch, m, k, n); a, b, out byte offsets. */
export const SMALL_MATMUL_PARAMS = ['a', 'b', 'out', 'batch', 'm', 'k', 'n'] as const;

export function smallMatMulDefinition(): FunctionDefinition {
  const routine = new Routine('smallMatMul');
  const { a: A, b: B, out: OUT, batch: BATCH, m: M, k: K, n: N } = routine.params(SMALL_MATMUL_PARAMS);
  // Counters (matrix, row, byte column, byte step along a's row), b's row bytes, a's row bytes, the end of the
  // 16-column blocks (bytes), the current rows of a and out, and the walking pointer into b.
  const l = routine.locals(['matrix', 'row', 'col', 'p', 'bRowBytes', 'aRowBytes', 'blocksEnd', 'aRow', 'outRow', 'bAt'], i32);
  const [MATRIX, ROW, COL, P, B_ROW, A_ROW_BYTES, BLOCKS_END, A_ROW, OUT_ROW, B_AT] = [l.matrix, l.row, l.col, l.p, l.bRowBytes, l.aRowBytes, l.blocksEnd, l.aRow, l.outRow, l.bAt];
  const v = routine.locals(['acc0', 'acc1', 'acc2', 'acc3', 'aSplat'], v128);
  const ACC = [v.acc0, v.acc1, v.acc2, v.acc3];
  const body = routine.body;
  body.get(N).i32(2).i32Shl().set(B_ROW);
  body.get(K).i32(2).i32Shl().set(A_ROW_BYTES);
  body.get(N).i32(-16).i32And().i32(2).i32Shl().set(BLOCKS_END);
  const zero = (c: Code) => void c.i32(0);
  const get = (local: Local) => (c: Code) => void c.get(local);

  /** One block of `width` accumulators (4 columns each) starting at byte column COL of the current row. */
  const block = (width: number) => (c: Code) => {
    for (let q = 0; q < width; q++) c.f32(0).f32x4Splat().set(ACC[q]);
    c.get(B).get(COL).i32Add().set(B_AT);
    c.forRange(P, zero, get(A_ROW_BYTES), 4, (k) => {
      k.get(A_ROW).get(P).i32Add().f32Load().f32x4Splat().set(v.aSplat);
      for (let q = 0; q < width; q++) {
        k.get(ACC[q]).get(v.aSplat).get(B_AT).v128Load(16 * q).f32x4Mul().f32x4Add().set(ACC[q]);
      }
      k.get(B_AT).get(B_ROW).i32Add().set(B_AT);
    });
    for (let q = 0; q < width; q++) c.get(OUT_ROW).get(COL).i32Add().get(ACC[q]).v128Store(16 * q);
  };

  body.forRange(MATRIX, zero, get(BATCH), 1, (c) => {
    c.get(A).set(A_ROW);
    c.get(OUT).set(OUT_ROW);
    c.forRange(ROW, zero, get(M), 1, (r) => {
      r.forRange(COL, zero, get(BLOCKS_END), 64, block(4));
      r.forRange(COL, get(BLOCKS_END), get(B_ROW), 16, block(1));
      r.get(A_ROW).get(A_ROW_BYTES).i32Add().set(A_ROW);
      r.get(OUT_ROW).get(B_ROW).i32Add().set(OUT_ROW);
    });
    // The next matrices: a and out follow on from the last rows; b moves by k rows.
    c.get(A_ROW).set(A);
    c.get(OUT_ROW).set(OUT);
    c.get(B).get(K).get(B_ROW).i32Mul().i32Add().set(B);
  });
  return routine.definition();
}

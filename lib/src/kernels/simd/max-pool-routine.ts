/**
 * Max-pool backward for the usual 2x2 / stride 2 / no padding windows, NHWC with channels a multiple of 4: each
 * window's dy goes to the first (row-major) of its four taps holding the maximum, as TF.js's cpu backend does. Four
 * channels at a time: compare masks pick the winner, and each tap is stored dy or 0 (windows do not overlap, so no
 * accumulation). Positions outside every window (an odd last row or column) are left to the caller.
 */
import { Code, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

/** maxPoolGrad2x2(x, dy, dx, batch, inHeight, inWidth, channels, outHeight, outWidth); x, dy, dx byte offsets. */
export const MAX_POOL_GRAD_2X2_PARAMS = ['x', 'dy', 'dx', 'batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth'] as const;

export function maxPoolGrad2x2Definition(): FunctionDefinition {
  const routine = new Routine('maxPoolGrad2x2');
  const p = routine.params(MAX_POOL_GRAD_2X2_PARAMS);
  const [X, DY, DX, BATCH, IN_HEIGHT, IN_WIDTH, CHANNELS, OUT_HEIGHT, OUT_WIDTH] = MAX_POOL_GRAD_2X2_PARAMS.map((name) => p[name]);
  // Loop counters, byte sizes of a pixel / row / image, the window's offset and a tap's.
  const l = routine.locals(['b', 'oh', 'ow', 'c', 'pixel', 'row', 'image', 'window', 'tap'], i32);
  const [B, OH, OW, C, PIXEL, ROW, IMAGE, WINDOW, TAP] = [l.b, l.oh, l.ow, l.c, l.pixel, l.row, l.image, l.window, l.tap];
  const v = routine.locals(['tap0', 'tap1', 'tap2', 'tap3', 'dyVector', 'mask1', 'mask2', 'mask3', 'best'], v128);
  const [V0, V1, V2, V3, G, M1, M2, M3, BEST] = [v.tap0, v.tap1, v.tap2, v.tap3, v.dyVector, v.mask1, v.mask2, v.mask3, v.best];
  const body = routine.body;
  body.get(CHANNELS).i32(2).i32Shl().set(PIXEL);
  body.get(IN_WIDTH).get(PIXEL).i32Mul().set(ROW);
  body.get(IN_HEIGHT).get(ROW).i32Mul().set(IMAGE);
  const zero = (c: Code) => void c.i32(0);
  const offsets = [(c: Code) => c, (c: Code) => c.get(PIXEL).i32Add(), (c: Code) => c.get(ROW).i32Add(), (c: Code) => c.get(ROW).i32Add().get(PIXEL).i32Add()];
  const tapAddress = (c: Code, base: Local, tap: number) => offsets[tap](c.get(base).get(TAP).i32Add());
  const vectors = (c: Code) => {
    c.get(WINDOW).get(C).i32Add().set(TAP);
    [V0, V1, V2, V3].forEach((local, tap) => tapAddress(c, X, tap).v128Load().set(local));
    c.get(DY).v128Load().set(G);
    c.get(DY).i32(16).i32Add().set(DY);
    // Running maximum in tap order; a later tap wins only when strictly greater.
    c.get(V1).get(V0).f32x4Gt().set(M1);
    c.get(V1).get(V0).get(M1).v128Bitselect().set(BEST);
    c.get(V2).get(BEST).f32x4Gt().set(M2);
    c.get(V2).get(BEST).get(M2).v128Bitselect().set(BEST);
    c.get(V3).get(BEST).f32x4Gt().set(M3);
    tapAddress(c, DX, 3).get(G).get(M3).v128And().v128Store();
    tapAddress(c, DX, 2).get(G).get(M2).v128And().get(M3).v128AndNot().v128Store();
    tapAddress(c, DX, 1).get(G).get(M1).v128And().get(M2).get(M3).v128Or().v128AndNot().v128Store();
    tapAddress(c, DX, 0).get(G).get(M1).get(M2).v128Or().get(M3).v128Or().v128AndNot().v128Store();
  };
  body.forRange(B, zero, (c) => c.get(BATCH), 1, (c) =>
    c.forRange(OH, zero, (k) => k.get(OUT_HEIGHT), 1, (rowLoop) =>
      rowLoop.forRange(OW, zero, (k) => k.get(OUT_WIDTH), 1, (k) => {
        // window (b, 2 oh, 2 ow): b * image + 2 oh * row + 2 ow * pixel
        k.get(B).get(IMAGE).i32Mul().get(OH).get(ROW).i32Mul().i32(1).i32Shl().i32Add();
        k.get(OW).get(PIXEL).i32Mul().i32(1).i32Shl().i32Add().set(WINDOW);
        k.forRange(C, zero, (n) => n.get(PIXEL), 16, vectors);
      }),
    ),
  );
  return routine.definition();
}

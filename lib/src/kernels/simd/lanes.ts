/** The lane operations the SIMD routines are written with: 4 floats at a time, or one for the tail. */
import type { Code } from './wasm-assembler';

export interface Lanes {
  load(c: Code): Code;
  store(c: Code): Code;
  add(c: Code): Code;
  sub(c: Code): Code;
  mul(c: Code): Code;
  div(c: Code): Code;
  min(c: Code): Code;
  max(c: Code): Code;
  sqrt(c: Code): Code;
  width: number;
}

export const VECTOR: Lanes = {
  load: (c) => c.v128Load(), store: (c) => c.v128Store(), add: (c) => c.f32x4Add(), sub: (c) => c.f32x4Sub(),
  mul: (c) => c.f32x4Mul(), div: (c) => c.f32x4Div(), min: (c) => c.f32x4Min(), max: (c) => c.f32x4Max(),
  sqrt: (c) => c.f32x4Sqrt(), width: 4,
};

export const SCALAR: Lanes = {
  load: (c) => c.f32Load(), store: (c) => c.f32Store(), add: (c) => c.f32Add(), sub: (c) => c.f32Sub(),
  mul: (c) => c.f32Mul(), div: (c) => c.f32Div(), min: (c) => c.f32Min(), max: (c) => c.f32Max(),
  sqrt: (c) => c.f32Sqrt(), width: 1,
};

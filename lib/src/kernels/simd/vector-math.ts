/**
 * Transcendental functions for the hand-written SIMD routines: a 4-lane sigmoid (and tanh through it), emitted
 * inline into a function body.
 *
 * exp(y) = 2^n * e^r with n = round(y / ln 2) and |r| <= ln2 / 2: a degree-6 Taylor polynomial gives e^r to ~1e-7
 * relative, and 2^n is built directly in the float's exponent bits. The rounding adds 1.5 * 2^23 (then the float's
 * low mantissa bits hold n, so a shift by 23 moves n into the exponent field; cheaper than round-and-convert). y is
 * clamped to +-87.3 so 2^n stays a normal float: sigmoid then saturates at 1 and ~1e-38, where float32 has nothing
 * finer to say.
 */
import { Code, Local, Routine, v128, ValueType } from './wasm-assembler';

const CLAMP = 87.3;
const ROUNDING = 12582912; // 1.5 * 2^23: adding it rounds to an integer, kept in the low mantissa bits
const ONE_BITS = 0x3f800000; // bits of 1.0f: 127 << 23
const LN2_HI = 0.693145751953125; // ln 2 split in two so n * LN2_HI is exact
const LN2_LO = 1.428606765330187e-6;
const TAYLOR = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]; // highest power first

export interface VectorSigmoid {
  /** The v128 locals it needs (splatted constants, scratch), to append to the function's locals. */
  readonly locals: ValueType[];
  /** Locals holding splat(1) and splat(2), for callers (tanh(x) = 2 sigmoid(2x) - 1). */
  readonly one: Local | number;
  readonly two: Local | number;
  /** Splat the constants; emit once at the start of the function. */
  init(c: Code): void;
  /** Replaces the v128 on top of the stack by its lane-wise sigmoid. */
  sigmoid(c: Code): void;
  /** Replaces the v128 on top of the stack by its lane-wise tanh. */
  tanh(c: Code): void;
}

/**
 * A sigmoid whose locals are declared in `routine` (named `sigmoid.*`), or, given a number, numbered from that index
 * of the function (the caller then appends `locals`).
 */
export function vectorSigmoid(routine: Routine | number): VectorSigmoid {
  const constants = { low: -CLAMP, high: CLAMP, log2e: Math.LOG2E, ln2Hi: LN2_HI, ln2Lo: LN2_LO, two: 2, rounding: ROUNDING };
  const names = Object.keys(constants) as (keyof typeof constants)[];
  let next = typeof routine === 'number' ? routine : 0;
  const declare = (name: string): Local | number => (typeof routine === 'number' ? next++ : routine.local(`sigmoid.${name}`, v128));
  const at = Object.fromEntries(names.map((name) => [name, declare(name)])) as Record<keyof typeof constants, Local | number>;
  const taylor = TAYLOR.map((_, k) => declare(`taylor${k}`));
  const oneBits = declare('oneBits'); // i32x4 splat(bits of 1.0)
  const [y, n, rounded] = [declare('y'), declare('n'), declare('rounded')];
  const one = taylor[TAYLOR.length - 1];

  const sigmoid = (c: Code) => {
    // y = clamp(-x); n = round(y log2 e); r = y - n ln2 (in two parts, kept in y)
    c.f32x4Neg().get(at.high).f32x4Min().get(at.low).f32x4Max().set(y);
    c.get(y).get(at.log2e).f32x4Mul().get(at.rounding).f32x4Add().set(rounded);
    c.get(rounded).get(at.rounding).f32x4Sub().set(n);
    c.get(y).get(n).get(at.ln2Hi).f32x4Mul().f32x4Sub().get(n).get(at.ln2Lo).f32x4Mul().f32x4Sub().set(y);
    // e^r by Horner, times 2^n = bits ((n << 23) + bits of 1.0)
    c.get(taylor[0]);
    for (const coefficient of taylor.slice(1)) c.get(y).f32x4Mul().get(coefficient).f32x4Add();
    c.get(rounded).i32(23).i32x4Shl().get(oneBits).i32x4Add().f32x4Mul();
    // 1 / (1 + e^-x)
    c.set(y).get(one).get(one).get(y).f32x4Add().f32x4Div();
  };
  return {
    locals: [...names, ...TAYLOR, 'oneBits', 'y', 'n', 'rounded'].map(() => v128),
    one,
    two: at.two,
    init(c) {
      for (const name of names) c.f32(constants[name]).f32x4Splat().set(at[name]);
      TAYLOR.forEach((value, k) => c.f32(value).f32x4Splat().set(taylor[k]));
      c.i32(ONE_BITS).i32x4Splat().set(oneBits);
    },
    sigmoid,
    tanh(c) {
      c.get(at.two).f32x4Mul();
      sigmoid(c);
      c.get(at.two).f32x4Mul().get(one).f32x4Sub();
    },
  };
}

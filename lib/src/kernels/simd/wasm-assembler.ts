/**
 * A very small WebAssembly assembler: enough to write a few SIMD loops by hand and link them to the wasm backend's
 * memory (see simd-module.ts). It encodes the binary format directly (no toolchain at build or run time).
 *
 * Only what the course's routines use is here: i32/f32/v128 values, locals, loads and stores, blocks and loops,
 * the arithmetic below, one imported memory and exported functions.
 */

export const i32 = 0x7f as const;
export const f32 = 0x7d as const;
export const v128 = 0x7b as const;
export type ValueType = typeof i32 | typeof f32 | typeof v128;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];

/** Instructions of one function body, appended by chained calls. Comments name the WebAssembly instruction. */
export class Code {
  readonly bytes: number[] = [];

  private op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  get(local: number) { return this.op(0x20, ...uleb(local)); } // local.get
  set(local: number) { return this.op(0x21, ...uleb(local)); } // local.set
  i32(value: number) { return this.op(0x41, ...sleb(value)); } // i32.const
  f32(value: number) {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(0x43, ...bytes); // f32.const
  }

  i32Add() { return this.op(0x6a); }
  i32Mul() { return this.op(0x6c); }
  i32Shl() { return this.op(0x74); }
  i32And() { return this.op(0x71); }
  i32GeU() { return this.op(0x4f); }
  i32Load(offset = 0) { return this.op(0x28, 2, ...uleb(offset)); }
  i32Store(offset = 0) { return this.op(0x36, 2, ...uleb(offset)); }

  f32Add() { return this.op(0x92); }
  f32Mul() { return this.op(0x94); }
  f32Div() { return this.op(0x95); }
  f32Sqrt() { return this.op(0x91); }

  /** f32.load / f32.store at the address on the stack (+ `offset` bytes). */
  f32Load(offset = 0) { return this.op(0x2a, 2, ...uleb(offset)); }
  f32Store(offset = 0) { return this.op(0x38, 2, ...uleb(offset)); }

  v128Load(offset = 0) { return this.simd(0x00, 0, ...uleb(offset)); } // alignment hint 1: tensors need not be 16-aligned
  v128Store(offset = 0) { return this.simd(0x0b, 0, ...uleb(offset)); }
  f32x4Splat() { return this.simd(0x13); }
  f32x4Add() { return this.simd(0xe4); }
  f32x4Mul() { return this.simd(0xe6); }
  f32x4Div() { return this.simd(0xe7); }
  f32x4Sqrt() { return this.simd(0xe3); }
  f32x4Sub() { return this.simd(0xe5); }
  f32x4Neg() { return this.simd(0xe1); }
  f32x4Min() { return this.simd(0xe8); }
  f32x4Max() { return this.simd(0xe9); }
  f32x4Gt() { return this.simd(0x44); } // lane mask: all ones where a > b
  f32x4Lt() { return this.simd(0x43); }
  v128And() { return this.simd(0x4e); }
  v128AndNot() { return this.simd(0x4f); } // a & ~b
  v128Or() { return this.simd(0x50); }
  v128Bitselect() { return this.simd(0x52); } // (a & mask) | (b & ~mask), mask on top
  i32x4Splat() { return this.simd(0x11); }
  /** i8x16.shuffle picking 4-byte lanes: 0-3 from the first operand, 4-7 from the second. */
  lanes32Shuffle(lanes: [number, number, number, number]) {
    return this.simd(0x0d, ...lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]));
  }
  i32x4Add() { return this.simd(0xae); }
  i32x4Shl() { return this.simd(0xab); } // shift count: an i32 on top of the vector

  /**
   * `for (local = start; local < end; local += step) body` with `start`, `end` (and `step` when not a constant) as i32
   * values pushed by the callbacks (the loop runs while local < end, unsigned).
   */
  forRange(
    local: number,
    start: (c: Code) => void,
    end: (c: Code) => void,
    step: number | ((c: Code) => void),
    body: (c: Code) => void,
  ): this {
    start(this);
    this.set(local);
    this.op(0x02, 0x40); // block
    this.op(0x03, 0x40); // loop
    this.get(local);
    end(this);
    this.i32GeU();
    this.op(0x0d, 1); // br_if out of the block
    body(this);
    this.get(local);
    if (typeof step === 'number') this.i32(step);
    else step(this);
    this.i32Add().set(local);
    this.op(0x0c, 0); // br to the loop
    this.op(0x0b, 0x0b); // end loop, end block
    return this;
  }
}

export interface FunctionDefinition {
  name: string;
  params: ValueType[];
  /** Extra locals after the parameters. */
  locals: ValueType[];
  body: Code;
}

/**
 * Encode a module that imports `env.memory` (shared when `sharedMemory`, as the threaded backend's is) and exports
 * the given functions (no results).
 */
export function assembleModule(functions: FunctionDefinition[], sharedMemory: boolean): Uint8Array {
  const types = section(1, vector(functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 0])));
  const limits = sharedMemory ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = section(2, vector([[...vector(utf8('env').map((b) => [b])), ...vector(utf8('memory').map((b) => [b])), 0x02, ...limits]]));
  const declarations = section(3, vector(functions.map((_, i) => uleb(i))));
  const exports = section(
    7,
    vector(functions.map((f, i) => [...vector(utf8(f.name).map((b) => [b])), 0x00, ...uleb(i)])),
  );
  const bodies = section(
    10,
    vector(
      functions.map((f) => {
        const locals = vector(f.locals.map((t) => [1, t]));
        const body = [...locals, ...f.body.bytes, 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...declarations, ...exports, ...bodies]);
}

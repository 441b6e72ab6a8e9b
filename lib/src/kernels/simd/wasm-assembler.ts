/**
 * A very small WebAssembly assembler: enough to write a few SIMD loops by hand and link them to the wasm backend's
 * memory (see simd-module.ts). It encodes the binary format directly (no toolchain at build or run time).
 *
 * Only what the course's routines use is here: i32/f32/v128 values, locals, loads and stores, blocks and loops,
 * the arithmetic below, one imported memory and exported functions. A routine declares its parameters and locals by
 * name (`Routine`); the emitter numbers them, writes their names into the module's name section (so engines and
 * tools show them), and keeps a text dump of each body beside its bytes.
 */

export const i32 = 0x7f as const;
export const f32 = 0x7d as const;
export const v128 = 0x7b as const;
export type ValueType = typeof i32 | typeof f32 | typeof v128;
const TYPE_NAMES: Record<ValueType, string> = { [i32]: 'i32', [f32]: 'f32', [v128]: 'v128' };

/** A parameter or local of one routine: its number is given by the routine, in declaration order. */
export interface Local {
  readonly index: number;
  readonly name: string;
  readonly type: ValueType;
  readonly routine: string;
}

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

/**
 * Instructions of one function body, appended by chained calls; each method is one WebAssembly instruction, and
 * `text` holds the body as readable text (WebAssembly's text format, one instruction a line).
 */
export class Code {
  readonly bytes: number[] = [];
  readonly text: string[] = [];
  private depth = 1;

  /** `routine`: the routine whose locals this body may use (a local of another routine is refused by name). */
  constructor(private readonly routine?: string) {}

  private op(text: string, ...bytes: number[]): this {
    this.bytes.push(...bytes);
    this.text.push(`${'  '.repeat(this.depth)}${text}`);
    return this;
  }
  private simd(text: string, opcode: number, ...immediates: number[]): this {
    return this.op(text, 0xfd, ...uleb(opcode), ...immediates);
  }
  private local(local: Local | number): { index: number; name: string } {
    if (typeof local === 'number') return { index: local, name: String(local) };
    if (this.routine !== undefined && local.routine !== this.routine) {
      throw new Error(`routine ${this.routine} uses $${local.name}, a local of routine ${local.routine}`);
    }
    return { index: local.index, name: `$${local.name}` };
  }

  get(local: Local | number) {
    const { index, name } = this.local(local);
    return this.op(`local.get ${name}`, 0x20, ...uleb(index));
  }
  set(local: Local | number) {
    const { index, name } = this.local(local);
    return this.op(`local.set ${name}`, 0x21, ...uleb(index));
  }
  i32(value: number) { return this.op(`i32.const ${value}`, 0x41, ...sleb(value)); }
  f32(value: number) {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(`f32.const ${Math.fround(value)}`, 0x43, ...bytes);
  }

  i32Add() { return this.op('i32.add', 0x6a); }
  i32Mul() { return this.op('i32.mul', 0x6c); }
  i32Shl() { return this.op('i32.shl', 0x74); }
  i32And() { return this.op('i32.and', 0x71); }
  i32GeU() { return this.op('i32.ge_u', 0x4f); }
  i32Load(offset = 0) { return this.op(memoryText('i32.load', offset), 0x28, 2, ...uleb(offset)); }
  i32Store(offset = 0) { return this.op(memoryText('i32.store', offset), 0x36, 2, ...uleb(offset)); }

  f32Add() { return this.op('f32.add', 0x92); }
  f32Sub() { return this.op('f32.sub', 0x93); }
  f32Mul() { return this.op('f32.mul', 0x94); }
  f32Div() { return this.op('f32.div', 0x95); }
  f32Sqrt() { return this.op('f32.sqrt', 0x91); }
  f32Min() { return this.op('f32.min', 0x96); }
  f32Max() { return this.op('f32.max', 0x97); }

  /** f32.load / f32.store at the address on the stack (+ `offset` bytes). */
  f32Load(offset = 0) { return this.op(memoryText('f32.load', offset), 0x2a, 2, ...uleb(offset)); }
  f32Store(offset = 0) { return this.op(memoryText('f32.store', offset), 0x38, 2, ...uleb(offset)); }

  // Alignment hint 1: tensors need not be 16-aligned.
  v128Load(offset = 0) { return this.simd(memoryText('v128.load', offset, 1), 0x00, 0, ...uleb(offset)); }
  v128Store(offset = 0) { return this.simd(memoryText('v128.store', offset, 1), 0x0b, 0, ...uleb(offset)); }
  f32x4Splat() { return this.simd('f32x4.splat', 0x13); }
  f32x4Add() { return this.simd('f32x4.add', 0xe4); }
  f32x4Mul() { return this.simd('f32x4.mul', 0xe6); }
  f32x4Div() { return this.simd('f32x4.div', 0xe7); }
  f32x4Sqrt() { return this.simd('f32x4.sqrt', 0xe3); }
  f32x4Sub() { return this.simd('f32x4.sub', 0xe5); }
  f32x4Neg() { return this.simd('f32x4.neg', 0xe1); }
  f32x4Min() { return this.simd('f32x4.min', 0xe8); }
  f32x4Max() { return this.simd('f32x4.max', 0xe9); }
  f32x4Gt() { return this.simd('f32x4.gt', 0x44); } // lane mask: all ones where a > b
  f32x4Lt() { return this.simd('f32x4.lt', 0x43); }
  v128And() { return this.simd('v128.and', 0x4e); }
  v128AndNot() { return this.simd('v128.andnot', 0x4f); } // a & ~b
  v128Or() { return this.simd('v128.or', 0x50); }
  v128Bitselect() { return this.simd('v128.bitselect', 0x52); } // (a & mask) | (b & ~mask), mask on top
  i32x4Splat() { return this.simd('i32x4.splat', 0x11); }
  /** i8x16.shuffle picking 4-byte lanes: 0-3 from the first operand, 4-7 from the second. */
  lanes32Shuffle(lanes: [number, number, number, number]) {
    const bytes = lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
    return this.simd(`i8x16.shuffle ${bytes.join(' ')}`, 0x0d, ...bytes);
  }
  i32x4Add() { return this.simd('i32x4.add', 0xae); }
  i32x4Shl() { return this.simd('i32x4.shl', 0xab); } // shift count: an i32 on top of the vector

  /**
   * `for (local = start; local < end; local += step) body` with `start`, `end` (and `step` when not a constant) as i32
   * values pushed by the callbacks (the loop runs while local < end, unsigned).
   */
  forRange(
    local: Local | number,
    start: (c: Code) => void,
    end: (c: Code) => void,
    step: number | ((c: Code) => void),
    body: (c: Code) => void,
  ): this {
    start(this);
    this.set(local);
    this.op('block', 0x02, 0x40);
    this.depth++;
    this.op('loop', 0x03, 0x40);
    this.depth++;
    this.get(local);
    end(this);
    this.i32GeU();
    this.op('br_if 1', 0x0d, 1); // out of the block
    body(this);
    this.get(local);
    if (typeof step === 'number') this.i32(step);
    else step(this);
    this.i32Add().set(local);
    this.op('br 0', 0x0c, 0); // to the loop
    this.depth--;
    this.op('end', 0x0b);
    this.depth--;
    this.op('end', 0x0b);
    return this;
  }
}

function memoryText(instruction: string, offset: number, align?: number): string {
  return [instruction, ...(offset ? [`offset=${offset}`] : []), ...(align !== undefined ? [`align=${align}`] : [])].join(' ');
}

export interface FunctionDefinition {
  name: string;
  params: ValueType[];
  /** Extra locals after the parameters. */
  locals: ValueType[];
  body: Code;
  /** Names of the parameters, then of the locals, for the name section and the text dump (default: none). */
  localNames?: string[];
}

/**
 * A routine under construction: parameters and locals are declared by name and numbered here (parameters first, in
 * order; then locals), so a body refers to `xw` or `row`, never to a number.
 */
export class Routine {
  readonly body: Code;
  private readonly declared: Local[] = [];
  private paramCount = 0;

  constructor(readonly name: string) {
    this.body = new Code(name);
  }

  /** One parameter; all parameters come before the first local. */
  param(name: string, type: ValueType = i32): Local {
    if (this.declared.length > this.paramCount) throw new Error(`${this.name}: parameter $${name} declared after a local`);
    const param = this.declare(name, type);
    this.paramCount++;
    return param;
  }

  /** Parameters of one type, by name: `const { x, out } = routine.params(['x', 'out'] as const)`. */
  params<N extends string>(names: readonly N[], type: ValueType = i32): Record<N, Local> {
    return Object.fromEntries(names.map((name) => [name, this.param(name, type)])) as Record<N, Local>;
  }

  local(name: string, type: ValueType): Local {
    return this.declare(name, type);
  }

  /** Locals of one type, by name. */
  locals<N extends string>(names: readonly N[], type: ValueType): Record<N, Local> {
    return Object.fromEntries(names.map((name) => [name, this.local(name, type)])) as Record<N, Local>;
  }

  /** The parameter names in call order. */
  paramNames(): string[] {
    return this.declared.slice(0, this.paramCount).map((l) => l.name);
  }

  definition(): FunctionDefinition {
    const types = this.declared.map((l) => l.type);
    return {
      name: this.name,
      params: types.slice(0, this.paramCount),
      locals: types.slice(this.paramCount),
      body: this.body,
      localNames: this.declared.map((l) => l.name),
    };
  }

  private declare(name: string, type: ValueType): Local {
    if (this.declared.some((l) => l.name === name)) throw new Error(`${this.name}: $${name} declared twice`);
    const local: Local = { index: this.declared.length, name, type, routine: this.name };
    this.declared.push(local);
    return local;
  }
}

/** A routine as readable text (WebAssembly's text format): its signature with named parameters and locals, and its body. */
export function routineText(definition: FunctionDefinition): string {
  const names = definition.localNames ?? [];
  const named = (type: ValueType, k: number, kind: 'param' | 'local') => `(${kind}${names[k] ? ` $${names[k]}` : ''} ${TYPE_NAMES[type]})`;
  const params = definition.params.map((t, k) => named(t, k, 'param'));
  const locals = definition.locals.map((t, k) => named(t, definition.params.length + k, 'local'));
  return [`(func $${definition.name} ${params.join(' ')}`, ...locals.map((l) => `  ${l}`), ...definition.body.text, ')'].join('\n');
}

/** The custom "name" section: function names, and each function's parameter and local names. */
function nameSection(functions: FunctionDefinition[]): number[] {
  const name = (s: string) => vector(utf8(s).map((b) => [b]));
  const functionNames = vector(functions.map((f, i) => [...uleb(i), ...name(f.name)]));
  const localNames = vector(
    functions.map((f, i) => [...uleb(i), ...vector((f.localNames ?? []).map((local, k) => [...uleb(k), ...name(local)]))]),
  );
  const subsection = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  return section(0, [...name('name'), ...subsection(1, functionNames), ...subsection(2, localNames)]);
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
  const names = nameSection(functions);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...declarations, ...exports, ...bodies, ...names]);
}

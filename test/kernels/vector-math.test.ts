import { strict as assert } from 'node:assert';
import { assembleModule, Code, FunctionDefinition, i32 } from '../../lib/src/kernels/simd/wasm-assembler';
import { vectorSigmoid } from '../../lib/src/kernels/simd/vector-math';

/** A module with map(x, out, n): out[k] = f(x[k]) for n a multiple of 4, f the vector sigmoid or tanh. */
function mapModule(which: 'sigmoid' | 'tanh') {
  const [X, OUT, N, I] = [0, 1, 2, 3];
  const math = vectorSigmoid(4);
  const body = new Code();
  math.init(body);
  body.forRange(I, (c) => c.i32(0), (c) => c.get(N).i32(2).i32Shl(), 16, (c) => {
    c.get(OUT).get(I).i32Add();
    c.get(X).get(I).i32Add().v128Load();
    math[which](c);
    c.v128Store();
  });
  const definition: FunctionDefinition = { name: 'map', params: [i32, i32, i32], locals: [i32, ...math.locals], body };
  const memory = new WebAssembly.Memory({ initial: 2 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([definition], false)), { env: { memory } });
  const map = instance.exports.map as (x: number, out: number, n: number) => void;
  return (xs: number[]): Float32Array => {
    new Float32Array(memory.buffer, 0, xs.length).set(xs);
    map(0, xs.length * 4, xs.length);
    return new Float32Array(memory.buffer, xs.length * 4, xs.length).slice();
  };
}

describe('kernels: SIMD sigmoid and tanh (vector-math)', () => {
  // Dense around 0, where the gates live, out to the clamps and beyond; plus exact edge values.
  const xs = [
    ...Array.from({ length: 4000 }, (_, k) => -20 + k * 0.01),
    ...Array.from({ length: 400 }, (_, k) => -200 + k),
    0, -0, 1e-8, -1e-8, 87.3, -87.3, 88, -88, 1e6, -1e6, Number.MAX_VALUE, -Number.MAX_VALUE,
  ];

  it('sigmoid is within 5e-7 (relative) of 1 / (1 + e^-x) and saturates at 0 and 1', () => {
    const got = mapModule('sigmoid')(xs);
    xs.forEach((x, k) => {
      const want = 1 / (1 + Math.exp(-Math.fround(x))); // against the float32 input the routine sees
      const error = Math.abs(got[k] - want) / Math.max(Math.min(want, 1), 1e-30);
      assert.ok(error < 5e-7 || Math.abs(got[k] - want) < 1e-37, `sigmoid(${x}) = ${got[k]}, want ${want}`);
      assert.ok(got[k] >= 0 && got[k] <= 1);
    });
  });

  it('tanh = 2 sigmoid(2x) - 1 is within 1e-6 of Math.tanh and saturates at -1 and 1', () => {
    const got = mapModule('tanh')(xs);
    xs.forEach((x, k) => {
      const want = Math.tanh(Math.fround(x));
      assert.ok(Math.abs(got[k] - want) < 1e-6, `tanh(${x}) = ${got[k]}, want ${want}`);
    });
    assert.equal(got[xs.indexOf(1e6)], 1);
    assert.equal(got[xs.indexOf(-1e6)], -1);
  });
});

import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../lib/src/engine';
import { ADAM_UPDATE } from '../../lib/src/kernels';
import { assembleModule } from '../../lib/src/kernels/simd/wasm-assembler';
import { simdRoutines } from '../../lib/src/kernels/simd/simd-module';
import { adam, CourseAdamOptimizer } from '../../lib/src/train';
import { assertNoTensorLeak } from '../models/support';

/** Two variables of awkward sizes (not multiples of 4: the SIMD loop's scalar tail runs) and a loss over both. */
function problem(seed: number) {
  const w = tf.variable(tf.randomNormal([37, 11], 0, 1, 'float32', seed));
  const b = tf.variable(tf.randomNormal([7], 0, 1, 'float32', seed + 1));
  const x = tf.randomNormal([16, 37], 0, 1, 'float32', seed + 2);
  const loss = () => tf.tidy(() => tf.matMul(x, w).square().mean().add(b.sub(0.5).square().sum())) as tf.Scalar;
  return { w, b, loss, dispose: () => tf.dispose([w, b, x]) };
}

function trainWith(optimizer: tf.Optimizer, steps: number): Float32Array[] {
  const p = problem(11);
  for (let i = 0; i < steps; i++) optimizer.minimize(p.loss);
  const out = [p.w.dataSync() as Float32Array, p.b.dataSync() as Float32Array];
  p.dispose();
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('kernels: the fused Adam update (wasm)', () => {
  before(async () => {
    await initEngine({ backend: 'wasm', verbose: false });
  });

  it('assembles a module that WebAssembly accepts, for plain and shared memory', () => {
    assert.ok(WebAssembly.validate(assembleModule([], false)));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { routines } = simdRoutines(memory);
    // One element by hand: p=1, m=0, v=0, g=2 with b1 .9, b2 .999, t=1 -> m'=.2, v'=.004, p' = 1 - lr * 2/(2+eps).
    new Float32Array(memory.buffer, 0, 4).set([1, 0, 0, 2]);
    routines.adam({ p: 0, m: 4, v: 8, g: 12, outP: 16, outM: 20, outV: 24, n: 1, b1: 0.9, oneMinusB1: 0.1, b2: 0.999, oneMinusB2: 0.001, c1: 0.1, c2: 0.001, eps: 1e-7, negLr: -0.01 });
    const [p, m, v] = new Float32Array(memory.buffer, 16, 3);
    assert.ok(Math.abs(m - 0.2) < 1e-6 && Math.abs(v - 0.004) < 1e-7, `m ${m}, v ${v}`);
    assert.ok(Math.abs(p - (1 - 0.01 * (2 / (2 + 1e-7)))) < 1e-6, `p ${p}`);
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    assert.doesNotThrow(() => simdRoutines(shared));
  });

  it('trains to the same weights as tf.train.adam (30 steps, sizes with a scalar tail)', () => {
    const [wStock, bStock] = trainWith(tf.train.adam(0.01), 30);
    const [wCourse, bCourse] = trainWith(adam(0.01), 30);
    assertClose(wCourse, wStock, 1e-5, 'w');
    assertClose(bCourse, bStock, 1e-5, 'b');
  });

  it('really runs one kernel per variable, and leaks no tensors', async () => {
    const p = problem(3);
    const optimizer = adam(0.01);
    optimizer.minimize(p.loss); // creates the moments
    const kernels: string[] = [];
    const profile = await tf.profile(() => {
      optimizer.minimize(p.loss);
    });
    for (const k of profile.kernels) kernels.push(k.name);
    assert.equal(kernels.filter((k) => k === ADAM_UPDATE).length, 2);
    await assertNoTensorLeak(() => {
      for (let i = 0; i < 5; i++) optimizer.minimize(p.loss);
    }, 'five Adam steps');
    optimizer.dispose();
    p.dispose();
  });

  it('keeps TF.js Adam state: weights to save and load, and the stock path can take over', async () => {
    const optimizer = adam(0.01) as CourseAdamOptimizer;
    const p = problem(5);
    for (let i = 0; i < 3; i++) optimizer.minimize(p.loss);
    const weights = await optimizer.getWeights();
    assert.deepEqual(
      weights.map((w) => w.name),
      ['iter', `${p.w.name}/m`, `${p.b.name}/m`, `${p.w.name}/v`, `${p.b.name}/v`],
    );
    assert.equal(weights[0].tensor.dataSync()[0], 3);
    // The same state loaded into tf.train.adam, for copies of the variables, continues exactly where the fused
    // optimiser goes (setWeights keys the moments by variable name: rename them to the copies').
    const twin = problem(5);
    twin.w.assign(p.w);
    twin.b.assign(p.b);
    const stock = tf.train.adam(0.01);
    const copyOf: Record<string, string> = { [p.w.name]: twin.w.name, [p.b.name]: twin.b.name, iter: 'iter' };
    await stock.setWeights(
      weights.map(({ name, tensor }) => {
        const [variable, moment] = name.split('/');
        return { name: moment === undefined ? variable : `${copyOf[variable]}/${moment}`, tensor };
      }),
    );
    optimizer.minimize(p.loss);
    stock.minimize(twin.loss);
    assertClose(p.w.dataSync() as Float32Array, twin.w.dataSync() as Float32Array, 1e-5, 'w after one more step');
    tf.dispose(weights.map((w) => w.tensor));
    optimizer.dispose();
    stock.dispose();
    p.dispose();
    twin.dispose();
  });

  it('rejects inputs of the wrong size or type', () => {
    const attrs = { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1 };
    const run = (inputs: Record<string, tf.Tensor>) => () =>
      tf.engine().runKernel(ADAM_UPDATE, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap);
    const ones = tf.ones([4]);
    assert.throws(run({ variable: ones, m: ones, v: ones, gradient: tf.ones([5]) }), /gradient has shape \[5\]/);
    assert.throws(run({ variable: ones, m: ones, v: ones, gradient: tf.ones([4], 'int32') }), /must be float32/);
    assert.throws(run({ variable: ones, m: ones, v: ones }), /missing input 'gradient'/);
  });

  it('falls back to TF.js Adam on a backend without the kernel (cpu)', async () => {
    await initEngine({ backend: 'cpu', verbose: false });
    try {
      const [wStock] = trainWith(tf.train.adam(0.01), 10);
      const [wCourse] = trainWith(adam(0.01), 10);
      assertClose(wCourse, wStock, 1e-6, 'w on cpu');
    } finally {
      await initEngine({ backend: 'wasm', verbose: false });
    }
  });
});

import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCourseKernels } from '../../lib/src/kernels';
import { asMatrixTranspose } from '../../lib/src/kernels/block-transpose';

/** Run `f` on cpu and on wasm (with the course's speed kernels) and return both results as nested arrays. */
async function onBothBackends<T>(f: () => tf.Tensor): Promise<{ cpu: T; wasm: T }> {
  await tf.setBackend('cpu');
  const cpu = tf.tidy(f).arraySync() as T;
  await tf.setBackend('wasm');
  registerCourseKernels(); // includes the speed kernels
  const wasm = tf.tidy(f).arraySync() as T;
  return { cpu, wasm };
}

describe('perf: wasm speed kernels agree with cpu', () => {
  it('GatherV2 on rows (2D and 3D tables, nested indices) and on other axes (stock path)', async () => {
    const table2 = Array.from({ length: 7 * 3 }, (_, i) => i * 0.5 - 3);
    const table3 = Array.from({ length: 5 * 2 * 3 }, (_, i) => i);
    const cases: (() => tf.Tensor)[] = [
      () => tf.gather(tf.tensor2d(table2, [7, 3]), tf.tensor1d([6, 0, 3, 3], 'int32')),
      () => tf.gather(tf.tensor3d(table3, [5, 2, 3]), tf.tensor2d([[4, 1], [0, 0]], [2, 2], 'int32')),
      () => tf.gather(tf.tensor2d(table2, [7, 3]).asType('int32'), tf.tensor1d([1, 2], 'int32')),
      () => tf.gather(tf.tensor2d(table2, [7, 3]), tf.tensor1d([2, 0], 'int32'), 1),
    ];
    for (const [i, f] of cases.entries()) {
      const { cpu, wasm } = await onBothBackends(f);
      assert.deepEqual(wasm, cpu, `case ${i}`);
    }
  });

  it('Tile, Reverse and Slice for every dtype and several shapes', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i - 3);
    const cases: (() => tf.Tensor)[] = [
      () => tf.tile(tf.tensor4d(values(3), [1, 1, 1, 3]), [4, 2, 3, 1]),
      () => tf.tile(tf.tensor2d(values(6), [2, 3]), [3, 2]),
      () => tf.tile(tf.tensor3d(values(12), [2, 3, 2], 'int32'), [2, 1, 3]),
      () => tf.tile(tf.tensor1d([true, false, true], 'bool'), [3]).asType('int32'),
      () => tf.tile(tf.tensor2d(values(6), [2, 3]), [1, 1]),
      () => tf.reverse(tf.tensor3d(values(24), [2, 3, 4]), 1),
      () => tf.reverse(tf.tensor3d(values(24), [2, 3, 4]), [0, 2]),
      () => tf.reverse(tf.tensor3d(values(24), [2, 3, 4], 'int32'), -1),
      () => tf.reverse(tf.tensor1d(values(5))),
      () => tf.slice(tf.tensor2d(values(40), [10, 4]), 3, 4),
      () => tf.slice(tf.tensor3d(values(60), [3, 4, 5]), [1, 1, 2], [2, -1, 2]),
      () => tf.slice(tf.tensor3d(values(60), [3, 4, 5], 'int32'), [0, 2, 0], [3, 1, 5]),
      () => tf.slice(tf.tensor1d(values(9)), 2, 5),
      () => tf.slice(tf.tensor2d(values(12), [3, 4]), [0, 0], [3, 4]),
    ];
    for (const [i, f] of cases.entries()) {
      const { cpu, wasm } = await onBothBackends(f);
      assert.deepEqual(wasm, cpu, `case ${i}`);
    }
  });

  it('Sum over leading axes (SIMD row sweep) and the cases left to the stock kernel', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const cases: (() => tf.Tensor)[] = [
      () => tf.sum(tf.tensor2d(values(7 * 16), [7, 16]), 0),
      () => tf.sum(tf.tensor4d(values(3 * 5 * 5 * 9), [3, 5, 5, 9]), [0, 1, 2]), // 9 columns: a scalar tail
      () => tf.sum(tf.tensor4d(values(2 * 3 * 4 * 6), [2, 3, 4, 6]), [1, 0], true),
      () => tf.sum(tf.tensor3d(values(4 * 3 * 8), [4, 3, 8]), 0),
      () => tf.sum(tf.tensor2d(values(6 * 3), [6, 3]), 0), // 3 columns: stock
      () => tf.sum(tf.tensor3d(values(4 * 3 * 8), [4, 3, 8]), 1), // not leading: stock
      () => tf.sum(tf.tensor2d(values(5 * 8), [5, 8])), // all axes: stock
      () => tf.sum(tf.tensor2d(values(5 * 8), [5, 8], 'int32'), 0), // int32: stock
    ];
    for (const [i, f] of cases.entries()) {
      const { cpu, wasm } = await onBothBackends<number[]>(f);
      const flat = (v: unknown) => [v].flat(4) as number[];
      const [c, w] = [flat(cpu), flat(wasm)];
      assert.equal(w.length, c.length, `case ${i} size`);
      for (let k = 0; k < c.length; k++) assert.ok(Math.abs(w[k] - c[k]) <= 1e-4 * Math.max(1, Math.abs(c[k])), `case ${i}[${k}]: ${w[k]} vs ${c[k]}`);
    }
  });

  it('Transpose as SIMD 4x4 blocks (ragged edges, batches, rotations, int32) and the permutations left to stock', async () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i * 0.25 - 7);
    const cases: (() => tf.Tensor)[] = [
      () => tf.transpose(tf.tensor2d(values(8 * 12), [8, 12])),
      () => tf.transpose(tf.tensor2d(values(7 * 5), [7, 5])), // no full block in one direction
      () => tf.transpose(tf.tensor2d(values(3 * 2), [3, 2])), // smaller than a block
      () => tf.transpose(tf.tensor2d(values(1 * 9), [1, 9])),
      () => tf.transpose(tf.tensor3d(values(3 * 6 * 9), [3, 6, 9]), [0, 2, 1]), // batched
      () => tf.transpose(tf.tensor4d(values(2 * 5 * 3 * 6), [2, 5, 3, 6]), [0, 3, 1, 2]), // NHWC -> NCHW
      () => tf.transpose(tf.tensor3d(values(4 * 5 * 6), [4, 5, 6]), [2, 0, 1]), // rotation, no batch axis
      () => tf.transpose(tf.tensor2d(values(6 * 10), [6, 10], 'int32')),
      () => tf.transpose(tf.tensor3d(values(4 * 5 * 6), [4, 5, 6]), [1, 0, 2]), // not a rotation: stock
      () => tf.transpose(tf.tensor2d([true, false, true, true, false, false], [2, 3], 'bool')).asType('int32'), // stock
    ];
    for (const [i, f] of cases.entries()) {
      const { cpu, wasm } = await onBothBackends(f);
      assert.deepEqual(wasm, cpu, `case ${i}`);
    }
    assert.deepEqual(asMatrixTranspose([2, 5, 3, 6], [0, 3, 1, 2]), { batch: 2, rows: 15, cols: 6 });
    assert.deepEqual(asMatrixTranspose([4, 5, 6], [2, 0, 1]), { batch: 1, rows: 20, cols: 6 });
    assert.equal(asMatrixTranspose([4, 5, 6], [1, 0, 2]), undefined);
    assert.equal(asMatrixTranspose([4, 5], [0, 1]), undefined);
  });

  it('Identity and same-type Cast share the input memory; the data lives until its last tensor is disposed', async () => {
    await tf.setBackend('wasm');
    registerCourseKernels();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor2d([[1.5, -2.5], [3, 4]]);
    const before = backend.numDataIds();
    const copies = [tf.clone(x), tf.cast(x, 'float32')];
    assert.equal(backend.numDataIds(), before, 'no new memory for a clone or a same-type cast');
    const asInt = tf.cast(x, 'int32');
    assert.equal(backend.numDataIds(), before + 1, 'a real cast allocates');
    assert.deepEqual(Array.from(asInt.dataSync()), [1, -2, 3, 4]);
    x.dispose();
    for (const copy of copies) assert.deepEqual(Array.from(copy.dataSync()), [1.5, -2.5, 3, 4]);
    tf.dispose([...copies, asInt]);
    assert.equal(backend.numDataIds(), before - 1);
  });

  it('GatherV2 rejects out-of-range rows', async () => {
    await tf.setBackend('wasm');
    registerCourseKernels();
    assert.throws(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([3], 'int32')), /out of range/);
  });

  it('embedding gradients and conv input gradients match cpu', async () => {
    const grads = () => {
      const table = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i)), [6, 2]);
      const ids = tf.tensor1d([5, 1, 5, 0], 'int32');
      const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => Math.cos(i)), [2, 6, 6, 2]);
      const w = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.sin(3 * i)), [3, 3, 2, 3]);
      const [dTable] = tf.grads((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids))))([table]);
      const [dx] = tf.grads((xt: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xt as tf.Tensor4D, w, 2, 'same'))))([x]);
      return tf.concat([dTable.flatten(), dx.flatten()]);
    };
    const { cpu, wasm } = await onBothBackends<number[]>(grads);
    assert.equal(wasm.length, cpu.length);
    wasm.forEach((v, i) => assert.ok(Math.abs(v - cpu[i]) < 1e-4 * (1 + Math.abs(cpu[i])), `element ${i}: ${v} vs ${cpu[i]}`));
  });
});

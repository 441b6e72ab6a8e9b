import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { isCourseKernel, registerCourseKernels } from '../../lib/src/kernels';
import { fusedLstm } from '../../lib/src/models/fused-lstm';
import { itHandlesOneTimeStep, itMatchesStockLayer, itTrainsWithoutLeaking, maxAbsDiff } from './fused-recurrent-checks';

for (const backend of ['cpu', 'wasm']) {
  describe(`perf: fusedLstm matches tf.layers.lstm on ${backend}`, function () {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
    });

    itMatchesStockLayer(tf.layers.lstm, fusedLstm);
    itHandlesOneTimeStep('tf.layers.lstm', fusedLstm, { randomBias: false });

    it('has the same weights, shapes and forget-gate bias as tf.layers.lstm', () => {
      const fused = fusedLstm({ units: 3, inputShape: [4, 2] });
      const model = tf.sequential({ layers: [fused] });
      assert.deepEqual(fused.getWeights().map((w) => w.shape), [[2, 12], [3, 12], [12]]);
      assert.deepEqual(Array.from(fused.getWeights()[2].dataSync()), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
      assert.deepEqual(model.outputs[0].shape, [null, 3]);
      model.dispose();
    });

    itTrainsWithoutLeaking(backend, fusedLstm);
  });
}

describe('perf: transpose-free matmul on wasm', () => {
  before(async () => {
    assert.ok(await tf.setBackend('wasm'));
    await tf.ready();
  });

  it('gives the same products as the cpu backend for every transpose combination, 2D and batched, either operand wider', async () => {
    // Output wider than tall ([3, 9], [2, 3, 9]): the swapped form (b^T a^T)^T runs.
    const shapes: [number[], number[]][] = [
      [[5, 7], [7, 3]],
      [[2, 5, 7], [2, 7, 3]],
      [[2, 5, 7], [1, 7, 3]],
      [[3, 6], [6, 9]],
      [[2, 3, 6], [2, 6, 9]],
    ];
    const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
    const cases = shapes.flatMap(([sa, sb]) =>
      [false, true].flatMap((ta) => [false, true].map((tb) => ({ sa: ta ? swap(sa) : sa, sb: tb ? swap(sb) : sb, ta, tb }))),
    );
    // Reference products on cpu (wasm may already run the wrapper when other tests registered it).
    await tf.setBackend('cpu');
    const reference = cases.map(({ sa, sb, ta, tb }) =>
      tf.tidy(() => {
        const a = tf.randomNormal(sa, 0, 1, 'float32', 4);
        const b = tf.randomNormal(sb, 0, 1, 'float32', 5);
        return { a: a.arraySync(), b: b.arraySync(), want: tf.matMul(a, b, ta, tb).arraySync() };
      }),
    );
    await tf.setBackend('wasm');
    registerCourseKernels();
    registerCourseKernels(); // idempotent
    assert.ok(isCourseKernel(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc), 'BatchMatMul runs the transpose-free wrapper');
    const before = tf.memory().numBytes;
    cases.forEach(({ ta, tb }, i) => {
      tf.tidy(() => {
        const a = tf.tensor(reference[i].a);
        const b = tf.tensor(reference[i].b);
        const want = tf.tensor(reference[i].want);
        // Twice: a plain product's first use of b is swapped, the second uses the packed b.
        for (const use of ['first', 'second']) {
          const got = tf.matMul(a, b, ta, tb);
          assert.deepEqual(got.shape, want.shape);
          assert.ok(maxAbsDiff(got, want) < 1e-4, `transposeA=${ta} transposeB=${tb} (${use} use) differs`);
        }
        const fused = tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, activation: 'relu' });
        assert.ok(maxAbsDiff(fused, tf.relu(want)) < 1e-4, `fused transposeA=${ta} transposeB=${tb} differs`);
      });
    });
    assert.equal(tf.memory().numBytes, before, 'wrapper leaked memory');
  });
});

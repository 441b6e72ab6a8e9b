import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { isCourseKernel, registerCourseKernels } from '../../lib/src/kernels';
import { fusedLstm } from '../../lib/src/models/fused-lstm';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Outputs and gradients (input and every weight) of `layer` on x, for a fixed random upstream gradient. */
function outputsAndGrads(layer: tf.layers.Layer, x: tf.Tensor3D, upstream: tf.Tensor) {
  const weights = layer.trainableWeights.map((w) => w.read());
  const f = (input: tf.Tensor, ...ws: tf.Tensor[]) => {
    void ws;
    return tf.sum(tf.mul(layer.apply(input) as tf.Tensor, upstream));
  };
  const y = layer.apply(x) as tf.Tensor;
  const grads = tf.grads(f)([x, ...weights]);
  return { y, grads };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`perf: fusedLstm matches tf.layers.lstm on ${backend}`, function () {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
    });

    // units 4 and 8: the SIMD step on wasm; 5: the JS step. scale 4: inputs large enough to saturate the gates.
    interface Case {
      recurrentActivation: 'sigmoid' | 'hardSigmoid';
      returnSequences: boolean;
      goBackwards: boolean;
      units?: number;
      scale?: number;
      time?: number;
      useBias?: boolean;
    }
    const cases: Case[] = [
      { recurrentActivation: 'sigmoid', returnSequences: false, goBackwards: false },
      { recurrentActivation: 'hardSigmoid', returnSequences: true, goBackwards: false },
      { recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: true },
      { recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: false, units: 8, scale: 4 },
      { recurrentActivation: 'hardSigmoid', returnSequences: true, goBackwards: false, units: 8, scale: 4 },
      { recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: false, units: 5 },
      { recurrentActivation: 'sigmoid', returnSequences: false, goBackwards: false, time: 2, useBias: false },
    ];
    for (const { units = 4, scale = 1, time = 7, ...options } of cases) {
      it(`same outputs and gradients within 1e-4 (${JSON.stringify({ units, scale, time, ...options })})`, () => {
        tf.tidy(() => {
          const [batch, features] = [3, 5];
          const reference = tf.layers.lstm({ units, ...options });
          const fused = fusedLstm({ units, ...options });
          const x = tf.randomNormal([batch, time, features], 0, scale, 'float32', 1) as tf.Tensor3D;
          reference.apply(x);
          fused.apply(x);
          // Random bias too, so that every gate path is exercised.
          fused.setWeights(reference.getWeights().map((w, i) => (i === 2 ? tf.randomNormal(w.shape, 0, 0.5, 'float32', 2) : w)));
          reference.setWeights(fused.getWeights());
          const upstream = tf.randomNormal(reference.computeOutputShape(x.shape) as number[], 0, 1, 'float32', 3);
          const want = outputsAndGrads(reference, x, upstream);
          const got = outputsAndGrads(fused, x, upstream);
          assert.deepEqual(got.y.shape, want.y.shape);
          assert.ok(maxAbsDiff(got.y, want.y) < 1e-4, `outputs differ by ${maxAbsDiff(got.y, want.y)}`);
          assert.equal(got.grads.length, options.useBias === false ? 3 : 4);
          got.grads.forEach((g, i) => {
            const diff = maxAbsDiff(g, want.grads[i]);
            assert.ok(diff < 1e-4, `gradient ${i} differs by ${diff}`);
          });
        });
      });
    }

    it('handles one time step (tf.layers.lstm cannot differentiate that): as step 1 of 2 with no gradient from step 2', () => {
      tf.tidy(() => {
        const [batch, features, units] = [2, 3, 4];
        const one = fusedLstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
        const two = fusedLstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
        const x = tf.randomNormal([batch, 2, features], 0, 1, 'float32', 4) as tf.Tensor3D;
        const x1 = tf.slice(x, [0, 0, 0], [batch, 1, features]) as tf.Tensor3D;
        one.apply(x1);
        two.apply(x);
        two.setWeights(one.getWeights());
        const upstream = tf.randomNormal([batch, 1, units], 0, 1, 'float32', 5);
        const got = outputsAndGrads(one, x1, upstream);
        const want = outputsAndGrads(two, x, tf.concat([upstream, tf.zeros([batch, 1, units])], 1));
        assert.ok(maxAbsDiff(got.y, tf.slice(want.y, [0, 0, 0], [batch, 1, units])) < 1e-6);
        assert.ok(maxAbsDiff(got.grads[0], tf.slice(want.grads[0], [0, 0, 0], [batch, 1, features])) < 1e-6);
        for (let i = 1; i < 4; i++) assert.ok(maxAbsDiff(got.grads[i], want.grads[i]) < 1e-6, `weight gradient ${i}`);
      });
    });

    it('has the same weights, shapes and forget-gate bias as tf.layers.lstm', () => {
      const fused = fusedLstm({ units: 3, inputShape: [4, 2] });
      const model = tf.sequential({ layers: [fused] });
      assert.deepEqual(fused.getWeights().map((w) => w.shape), [[2, 12], [3, 12], [12]]);
      assert.deepEqual(Array.from(fused.getWeights()[2].dataSync()), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
      assert.deepEqual(model.outputs[0].shape, [null, 3]);
      model.dispose();
    });

    it('trains inside a model without leaking tensors', () => {
      const model = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6 }),
          fusedLstm({ units: 8, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      if (backend === 'wasm' && tf.getKernel('UnsortedSegmentSum', 'wasm') === undefined) {
        // Embedding gradients need UnsortedSegmentSum, registered by the kernels module; train the rest here.
        model.layers[0].trainable = false;
      }
      const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const optimizer = tf.train.adam(0.01);
      const x = tf.tensor2d([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [7, 7, 7, 7, 7, 7], [1, 1, 2, 2, 3, 3]], undefined, 'int32');
      const y = tf.tensor2d([[1], [0], [1], [0]]);
      const step = () =>
        optimizer.minimize(
          () => tf.mean(tf.metrics.binaryCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
          true,
          trainable,
        )!;
      const first = step();
      const firstLoss = first.dataSync()[0];
      first.dispose();
      const before = tf.memory().numTensors;
      let loss = 0;
      for (let i = 0; i < 30; i++) {
        const l = step();
        loss = l.dataSync()[0];
        l.dispose();
      }
      assert.equal(tf.memory().numTensors, before, 'tensor count grew while training');
      assert.ok(loss < firstLoss, `loss did not fall: ${firstLoss} -> ${loss}`);
      model.dispose();
      optimizer.dispose();
      x.dispose();
      y.dispose();
    });
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

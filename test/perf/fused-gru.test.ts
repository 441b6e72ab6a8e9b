import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { GRU_BACKWARD_KERNEL, GRU_FORWARD_KERNEL, hasKernel, registerCourseKernels } from '../../lib/src/kernels';
import { FusedGru, fusedGru } from '../../lib/src/models/fused-gru';
import { gruSequence } from '../../lib/src/ops';

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

/** Run `fn` with the GRU kernels unregistered on the current backend (the op's plain-ops path), then restore them. */
function withoutGruKernels<T>(fn: () => T): T {
  const backend = tf.getBackend();
  for (const name of [GRU_FORWARD_KERNEL, GRU_BACKWARD_KERNEL]) tf.unregisterKernel(name, backend);
  try {
    assert.equal(hasKernel(GRU_FORWARD_KERNEL), false);
    return fn();
  } finally {
    registerCourseKernels();
    assert.ok(hasKernel(GRU_FORWARD_KERNEL), 'GRU kernels restored');
  }
}

/** d(sum(gruSequence(x, w) * upstream))/d(x, kernel, recurrentKernel, bias), by autodiff through the op. */
function opGradients(x: tf.Tensor3D, weights: tf.Tensor[], upstream: tf.Tensor, activation: 'sigmoid' | 'hardSigmoid') {
  const f = (xIn: tf.Tensor, k: tf.Tensor, u: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(gruSequence(xIn as tf.Tensor3D, { kernel: k as tf.Tensor2D, recurrentKernel: u as tf.Tensor2D, bias: b as tf.Tensor1D }, activation), upstream));
  const { value, grads } = tf.valueAndGrads(f)([x, ...weights]);
  return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`perf: fusedGru matches tf.layers.gru on ${backend}`, function () {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
      assert.ok(hasKernel(GRU_FORWARD_KERNEL) && hasKernel(GRU_BACKWARD_KERNEL), `the GRU kernels are registered for ${backend}`);
    });

    // scale 4: inputs large enough to saturate the gates (hardSigmoid's clipped parts).
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
          const reference = tf.layers.gru({ units, ...options });
          const fused = fusedGru({ units, ...options });
          const x = tf.randomNormal([batch, time, features], 0, scale, 'float32', 1) as tf.Tensor3D;
          reference.apply(x);
          fused.apply(x);
          // Random bias too (tf.layers.gru starts it at zero), so that every gate path is exercised.
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

    for (const activation of ['sigmoid', 'hardSigmoid'] as const) {
      it(`gruSequence (${activation}): the kernels give the plain-ops path's states and gradients (input and all weights)`, () => {
        tf.tidy(() => {
          const [batch, time, features, units] = [2, 6, 3, 4];
          const x = tf.randomNormal([batch, time, features], 0, 2, 'float32', 11) as tf.Tensor3D;
          const weights = [
            tf.randomNormal([features, 3 * units], 0, 0.6, 'float32', 12),
            tf.randomNormal([units, 3 * units], 0, 0.6, 'float32', 13),
            tf.randomNormal([3 * units], 0, 0.5, 'float32', 14),
          ];
          const upstream = tf.randomNormal([batch, time, units], 0, 1, 'float32', 15);
          const fused = opGradients(x, weights, upstream, activation);
          const plain = withoutGruKernels(() => opGradients(x, weights, upstream, activation));
          assert.ok(Math.abs(fused.value - plain.value) < 1e-4, `outputs: ${fused.value} vs ${plain.value}`);
          fused.grads.forEach((g, i) => {
            const diff = Math.max(...g.map((v, k) => Math.abs(v - plain.grads[i][k])));
            assert.ok(diff < 1e-4, `gradient ${i} differs by ${diff}`);
          });
        });
      });
    }

    it('gruSequence: gradients agree with central differences for the input and every weight (sigmoid gates)', () => {
      tf.tidy(() => {
        const [batch, time, features, units] = [2, 4, 3, 3];
        const x = tf.randomNormal([batch, time, features], 0, 1, 'float32', 21) as tf.Tensor3D;
        const weights = [
          tf.randomNormal([features, 3 * units], 0, 0.7, 'float32', 22),
          tf.randomNormal([units, 3 * units], 0, 0.7, 'float32', 23),
          tf.randomNormal([3 * units], 0, 0.5, 'float32', 24),
        ];
        const upstream = tf.randomNormal([batch, time, units], 0, 1, 'float32', 25);
        const { grads } = opGradients(x, weights, upstream, 'sigmoid');
        const loss = (args: tf.Tensor[]) =>
          tf.tidy(() =>
            tf.sum(tf.mul(gruSequence(args[0] as tf.Tensor3D, { kernel: args[1] as tf.Tensor2D, recurrentKernel: args[2] as tf.Tensor2D, bias: args[3] as tf.Tensor1D }, 'sigmoid'), upstream)).dataSync()[0],
          );
        const eps = 1e-2;
        const args = [x, ...weights];
        args.forEach((arg, which) => {
          const values = arg.dataSync().slice();
          for (let k = 0; k < values.length; k++) {
            const shifted = (delta: number) => {
              const copy = values.slice();
              copy[k] += delta;
              const replaced = args.map((a, i) => (i === which ? tf.tensor(copy, a.shape) : a));
              return loss(replaced);
            };
            const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
            assert.ok(Math.abs(numeric - grads[which][k]) < 2e-3, `argument ${which}[${k}]: autodiff ${grads[which][k]} vs numeric ${numeric}`);
          }
        });
      });
    });

    it('handles one time step (tf.layers.gru cannot differentiate that): as step 1 of 2 with no gradient from step 2', () => {
      tf.tidy(() => {
        const [batch, features, units] = [2, 3, 4];
        const one = fusedGru({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
        const two = fusedGru({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
        const x = tf.randomNormal([batch, 2, features], 0, 1, 'float32', 4) as tf.Tensor3D;
        const x1 = tf.slice(x, [0, 0, 0], [batch, 1, features]) as tf.Tensor3D;
        one.apply(x1);
        two.apply(x);
        one.setWeights(one.getWeights().map((w, i) => (i === 2 ? tf.randomNormal(w.shape, 0, 0.5, 'float32', 6) : w)));
        two.setWeights(one.getWeights());
        const upstream = tf.randomNormal([batch, 1, units], 0, 1, 'float32', 5);
        const got = outputsAndGrads(one, x1, upstream);
        const want = outputsAndGrads(two, x, tf.concat([upstream, tf.zeros([batch, 1, units])], 1));
        assert.ok(maxAbsDiff(got.y, tf.slice(want.y, [0, 0, 0], [batch, 1, units])) < 1e-6);
        assert.ok(maxAbsDiff(got.grads[0], tf.slice(want.grads[0], [0, 0, 0], [batch, 1, features])) < 1e-6);
        for (let i = 1; i < 4; i++) assert.ok(maxAbsDiff(got.grads[i], want.grads[i]) < 1e-6, `weight gradient ${i}`);
      });
    });

    it('has the same weights and shapes as tf.layers.gru', () => {
      const fused = fusedGru({ units: 3, inputShape: [4, 2] });
      const stock = tf.layers.gru({ units: 3, inputShape: [4, 2] });
      const model = tf.sequential({ layers: [fused] });
      const stockModel = tf.sequential({ layers: [stock] });
      assert.deepEqual(fused.getWeights().map((w) => w.shape), stock.getWeights().map((w) => w.shape));
      assert.deepEqual(fused.getWeights().map((w) => w.shape), [[2, 9], [3, 9], [9]]);
      assert.deepEqual(Array.from(fused.getWeights()[2].dataSync()), new Array(9).fill(0));
      assert.deepEqual(model.outputs[0].shape, [null, 3]);
      model.dispose();
      stockModel.dispose();
    });

    it('trains inside a model without leaking tensors', () => {
      const model = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6 }),
          fusedGru({ units: 8, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
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

describe('perf: fusedGru options and serialisation', () => {
  before(async () => {
    assert.ok(await tf.setBackend('cpu'));
  });

  it('refuses what it does not fuse, with an error that names the option', () => {
    for (const [key, value] of [['dropout', 0.1], ['recurrentDropout', 0.2], ['stateful', true], ['returnState', true], ['unroll', true], ['resetAfter', true]] as const) {
      assert.throws(() => fusedGru({ units: 3, [key]: value } as never), new RegExp(`does not support '${key}'`));
    }
    assert.throws(() => fusedGru({ units: 3, activation: 'relu' } as never), /only fuses activation 'tanh'/);
    assert.throws(() => fusedGru({ units: 3, recurrentActivation: 'relu' } as never), /recurrentActivation must be/);
    assert.throws(() => fusedGru({ units: 0 }), /positive integer/);
    // zero / false values of the unsupported options are the defaults, and fine
    assert.doesNotThrow(() => fusedGru({ units: 3, dropout: 0, stateful: false } as never));
    const layer = fusedGru({ units: 3 });
    const x = tf.ones([1, 2, 2]);
    layer.apply(x);
    assert.throws(() => layer.apply(x, { mask: tf.ones([1, 2]) }), /does not support masking/);
    assert.throws(() => layer.apply(x, { initialState: [tf.zeros([1, 3])] }), /initial state/);
  });

  it('saves and loads (class CourseFusedGru) with the same outputs', async () => {
    const model = tf.sequential({ layers: [fusedGru({ units: 3, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid', inputShape: [4, 2] })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    assert.ok(JSON.stringify(artifacts!.modelTopology).includes('"CourseFusedGru"'));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const layer = loaded.layers[0] as FusedGru;
    assert.ok(layer instanceof FusedGru);
    assert.equal(layer.recurrentActivation, 'sigmoid');
    assert.equal(layer.goBackwards, true);
    const x = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 9);
    const [a, b] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
    assert.ok(maxAbsDiff(a, b) < 1e-7);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('gruSequence checks shapes', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 3]) as tf.Tensor3D;
      assert.throws(() => gruSequence(x, { kernel: tf.zeros([3, 12]), recurrentKernel: tf.zeros([4, 8]) }), /recurrent kernel must be \[4, 12\]/);
      assert.throws(() => gruSequence(x, { kernel: tf.zeros([2, 6]), recurrentKernel: tf.zeros([2, 6]) }), /GRU kernel must be \[3, 6\]/);
      assert.throws(() => gruSequence(x, { kernel: tf.zeros([3, 6]), recurrentKernel: tf.zeros([2, 6]), bias: tf.zeros([5]) }), /bias must be \[6\]/);
    });
  });
});

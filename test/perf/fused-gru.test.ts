import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { GRU_BACKWARD_KERNEL, GRU_FORWARD_KERNEL, hasKernel, registerCourseKernels } from '../../lib/src/kernels';
import { FusedGru, fusedGru } from '../../lib/src/models/fused-gru';
import { gruSequence } from '../../lib/src/ops';
import { itHandlesOneTimeStep, itMatchesStockLayer, itTrainsWithoutLeaking, maxAbsDiff } from './fused-recurrent-checks';

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

/**
 * Inputs, weights [kernel, recurrentKernel, bias] and an upstream gradient for gruSequence, from seeds seed..seed+4
 * (bias std 0.5 and upstream std 1 always).
 */
function randomGruProblem(p: { batch: number; time: number; features: number; units: number; inputStd: number; weightStd: number; seed: number }) {
  const { batch, time, features, units, inputStd, weightStd, seed } = p;
  const x = tf.randomNormal([batch, time, features], 0, inputStd, 'float32', seed) as tf.Tensor3D;
  const weights = [
    tf.randomNormal([features, 3 * units], 0, weightStd, 'float32', seed + 1),
    tf.randomNormal([units, 3 * units], 0, weightStd, 'float32', seed + 2),
    tf.randomNormal([3 * units], 0, 0.5, 'float32', seed + 3),
  ];
  const upstream = tf.randomNormal([batch, time, units], 0, 1, 'float32', seed + 4);
  return { x, weights, upstream };
}

for (const backend of ['cpu', 'wasm']) {
  describe(`perf: fusedGru matches tf.layers.gru on ${backend}`, function () {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
      assert.ok(hasKernel(GRU_FORWARD_KERNEL) && hasKernel(GRU_BACKWARD_KERNEL), `the GRU kernels are registered for ${backend}`);
    });

    itMatchesStockLayer(tf.layers.gru, fusedGru);

    for (const activation of ['sigmoid', 'hardSigmoid'] as const) {
      it(`gruSequence (${activation}): the kernels give the plain-ops path's states and gradients (input and all weights)`, () => {
        tf.tidy(() => {
          const { x, weights, upstream } = randomGruProblem({ batch: 2, time: 6, features: 3, units: 4, inputStd: 2, weightStd: 0.6, seed: 11 });
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
        const { x, weights, upstream } = randomGruProblem({ batch: 2, time: 4, features: 3, units: 3, inputStd: 1, weightStd: 0.7, seed: 21 });
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

    itHandlesOneTimeStep('tf.layers.gru', fusedGru, { randomBias: true });

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

    itTrainsWithoutLeaking(backend, fusedGru);
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

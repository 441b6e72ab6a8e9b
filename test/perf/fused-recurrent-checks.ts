/**
 * The checks fused-lstm.test.ts and fused-gru.test.ts run alike, each against its stock twin (tf.layers.lstm or
 * tf.layers.gru). Call the `it...` functions inside a describe whose backend is set.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';

/** A fused layer's or its stock twin's factory, with the options these checks pass. */
type LayerFactory = (args: {
  units: number;
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  returnSequences?: boolean;
  goBackwards?: boolean;
  useBias?: boolean;
}) => tf.layers.Layer;

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Outputs and gradients (input and every weight) of `layer` on x, for a fixed random upstream gradient. */
export function outputsAndGrads(layer: tf.layers.Layer, x: tf.Tensor3D, upstream: tf.Tensor) {
  const weights = layer.trainableWeights.map((w) => w.read());
  const f = (input: tf.Tensor, ...ws: tf.Tensor[]) => {
    void ws;
    return tf.sum(tf.mul(layer.apply(input) as tf.Tensor, upstream));
  };
  const y = layer.apply(x) as tf.Tensor;
  const grads = tf.grads(f)([x, ...weights]);
  return { y, grads };
}

/**
 * Same outputs and gradients as the stock layer with the same weights, over gate activations, output modes,
 * directions and sizes. Units 4 and 8: the LSTM's SIMD step on wasm; 5: its JS step. Scale 4: inputs large enough to
 * saturate the gates (hardSigmoid's clipped parts).
 */
export function itMatchesStockLayer(stock: LayerFactory, fused: LayerFactory): void {
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
        const reference = stock({ units, ...options });
        const layer = fused({ units, ...options });
        const x = tf.randomNormal([batch, time, features], 0, scale, 'float32', 1) as tf.Tensor3D;
        reference.apply(x);
        layer.apply(x);
        // Random bias too (the stock layers start it at zero or one), so that every gate path is exercised.
        layer.setWeights(reference.getWeights().map((w, i) => (i === 2 ? tf.randomNormal(w.shape, 0, 0.5, 'float32', 2) : w)));
        reference.setWeights(layer.getWeights());
        const upstream = tf.randomNormal(reference.computeOutputShape(x.shape) as number[], 0, 1, 'float32', 3);
        const want = outputsAndGrads(reference, x, upstream);
        const got = outputsAndGrads(layer, x, upstream);
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
}

/**
 * One time step, which the stock layers cannot differentiate: checked as step 1 of 2 with no gradient from step 2.
 * `randomBias`: give the bias random values first (for layers whose initial bias is all zero).
 */
export function itHandlesOneTimeStep(stockName: string, fused: LayerFactory, { randomBias }: { randomBias: boolean }): void {
  it(`handles one time step (${stockName} cannot differentiate that): as step 1 of 2 with no gradient from step 2`, () => {
    tf.tidy(() => {
      const [batch, features, units] = [2, 3, 4];
      const one = fused({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
      const two = fused({ units, returnSequences: true, recurrentActivation: 'sigmoid' });
      const x = tf.randomNormal([batch, 2, features], 0, 1, 'float32', 4) as tf.Tensor3D;
      const x1 = tf.slice(x, [0, 0, 0], [batch, 1, features]) as tf.Tensor3D;
      one.apply(x1);
      two.apply(x);
      if (randomBias) one.setWeights(one.getWeights().map((w, i) => (i === 2 ? tf.randomNormal(w.shape, 0, 0.5, 'float32', 6) : w)));
      two.setWeights(one.getWeights());
      const upstream = tf.randomNormal([batch, 1, units], 0, 1, 'float32', 5);
      const got = outputsAndGrads(one, x1, upstream);
      const want = outputsAndGrads(two, x, tf.concat([upstream, tf.zeros([batch, 1, units])], 1));
      assert.ok(maxAbsDiff(got.y, tf.slice(want.y, [0, 0, 0], [batch, 1, units])) < 1e-6);
      assert.ok(maxAbsDiff(got.grads[0], tf.slice(want.grads[0], [0, 0, 0], [batch, 1, features])) < 1e-6);
      for (let i = 1; i < 4; i++) assert.ok(maxAbsDiff(got.grads[i], want.grads[i]) < 1e-6, `weight gradient ${i}`);
    });
  });
}

/** Embedding, the fused layer, a dense output: 30 Adam steps lower the loss and leave the tensor count as it was. */
export function itTrainsWithoutLeaking(backend: string, fused: LayerFactory): void {
  it('trains inside a model without leaking tensors', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6 }),
        fused({ units: 8, recurrentActivation: 'sigmoid' }),
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
}

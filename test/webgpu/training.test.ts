/**
 * One small model of each family the course trains, on webgpu: its gradients equal the cpu backend's (dropout off,
 * same weights, same batch), and `model.fit` with the course's compile (its losses and Adam) lowers the loss.
 * Dense, conv + pool, embedding + fused LSTM, batch norm + depthwise conv, Transformer attention.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';
import { batchNormalization, buildMlp, buildMnistCnn, buildTextClassifier, buildTransformerClassifier } from '../../lib/src/models';
import { compileClassifier } from '../../lib/src/train';
import { PlainTensor, randomTensor, toTensor } from '../kernels/backend-compare';
import { GradientCase, assertGradientsMatchCpu } from '../models/layer-gradients';
import { useWebGpu } from './webgpu-suite';

interface Family {
  name: string;
  build: (dropout: number) => tf.LayersModel;
  /** The batch: inputs (floats are differentiated in the gradient check) and class ids [n, 1]. */
  inputs: PlainTensor;
  classes: number;
}

const N = 16;
const rng = new Rng(31);
const ids = (vocab: number, time: number): PlainTensor => ({
  shape: [N, time],
  // each row: some tokens, then padding (0) at the end, as the loaders give it
  values: Array.from({ length: N * time }, (_, i) => (i % time < time - (i % 3) ? 1 + rng.int(vocab - 1) : 0)),
  dtype: 'int32',
});

const FAMILIES: Family[] = [
  { name: 'dense: buildMlp', build: (dropout) => buildMlp({ inputDim: 10, hidden: [16], outputs: 3, activation: 'relu', dropout, seed: 1 }), inputs: randomTensor(rng, [N, 10]), classes: 3 },
  {
    name: 'conv + pool: buildMnistCnn (small)',
    build: (dropout) => buildMnistCnn({ filters: [4, 8], denseUnits: 16, dropout, seed: 2 }),
    inputs: { shape: [N, 28, 28, 1], values: Array.from({ length: N * 784 }, () => rng.uniform(0, 1)) },
    classes: 10,
  },
  {
    name: 'embedding + fused bidirectional LSTM: buildTextClassifier',
    build: (dropout) => buildTextClassifier({ vocabSize: 20, embeddingDim: 6, units: 5, bidirectional: true, sequenceLength: 7, classes: 3, dropout, seed: 3 }),
    inputs: ids(20, 7),
    classes: 3,
  },
  {
    name: "batch norm (the course's layer) + depthwise and separable conv",
    build: (dropout) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
          batchNormalization(),
          tf.layers.reLU({ maxValue: 6 }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
          batchNormalization(),
          tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dropout({ rate: dropout, seed: 8 }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
        ],
      }),
    inputs: { shape: [N, 12, 12, 3], values: Array.from({ length: N * 432 }, () => rng.uniform(0, 1)) },
    classes: 3,
  },
  {
    name: 'attention: buildTransformerClassifier (one block)',
    build: (dropout) => buildTransformerClassifier({ vocabSize: 20, sequenceLength: 7, modelDim: 8, numHeads: 2, feedForwardDim: 16, numLayers: 1, outputs: 3, dropout, seed: 10 }),
    inputs: ids(20, 7),
    classes: 3,
  },
];

const labels = (classes: number): PlainTensor => ({ shape: [N, 1], values: Array.from({ length: N }, (_, i) => (i * 7) % classes) });

describe('webgpu: one model of each family trains, with the gradients of the cpu backend', function () {
  useWebGpu();

  for (const family of FAMILIES) {
    describe(family.name, () => {
      it('gradients of every weight agree with cpu (one batch, dropout off)', () => {
        const differentiated = family.inputs.dtype !== 'int32';
        const c: GradientCase = {
          name: family.name,
          build: () => family.build(0),
          inputs: () => (differentiated ? { float: [family.inputs], fixed: [] } : { float: [], fixed: [family.inputs] }),
        };
        return assertGradientsMatchCpu(c, 'webgpu');
      });

      it("model.fit with compileClassifier (the course's loss and Adam) lowers the loss", async () => {
        await tf.setBackend('webgpu');
        const model = compileClassifier(family.build(0.1), { optimizer: 'adam', learningRate: 0.01 });
        const [x, y] = [toTensor(family.inputs), toTensor(labels(family.classes))];
        // no shuffling: model.fit shuffles with Math.random, which made this tiny run's loss curve differ from run to run
        const history = await model.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0, shuffle: false });
        const losses = history.history.loss as number[];
        tf.dispose([x, y]);
        model.dispose();
        assert.ok(losses.every(Number.isFinite), `loss is not finite: ${losses}`);
        assert.ok(losses[losses.length - 1] < losses[0], `loss did not fall: ${losses.map((l) => l.toFixed(4))}`);
      });
    });
  }
});

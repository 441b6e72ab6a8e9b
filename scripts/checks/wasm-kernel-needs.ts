/**
 * Lists the TF.js kernels one training step of each course model runs (profiled on cpu), and which of them the
 * stock wasm backend lacks, before and after the course's `registerCourseKernels()`.
 * Run: `npx tsx scripts/checks/wasm-kernel-needs.ts` (add DATASETS_DIR for the MobileNet fine-tuning case).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // registers the stock wasm kernels
import { registerCourseKernels } from '@dl-course/lib/kernels';
import {
  buildCifarCnn,
  buildMlp,
  buildMnistCnn,
  buildRnnEncoder,
  buildSiamesePairClassifier,
  buildTransferHead,
  buildTransferModel,
  buildTransformerClassifier,
  loadMobileNetFeatureExtractor,
  setTrainableFrom,
} from '@dl-course/lib/models';
import { paddedIds, seededTensor } from '../../test/models/support';

interface Case {
  name: string;
  model: () => Promise<tf.LayersModel>;
  x: () => tf.Tensor | tf.Tensor[];
  y: () => tf.Tensor;
  loss: string;
}

const pair = (kind: 'simpleRnn' | 'lstm' | 'gru') => async () =>
  buildSiamesePairClassifier(buildRnnEncoder({ kind, vocabSize: 12, embeddingDim: 6, units: 5, bidirectional: true, pooling: 'attention', seed: 3 }));

const cases: Case[] = [
  { name: 'mlp (dropout, L2)', model: async () => buildMlp({ inputDim: 2, hidden: [8], outputs: 1, activation: 'relu', dropout: 0.2, l2: 0.01 }), x: () => seededTensor([4, 2], 1), y: () => tf.ones([4, 1]), loss: 'binaryCrossentropy' },
  { name: 'mnist cnn', model: async () => buildMnistCnn({ filters: [4, 8], denseUnits: 8 }), x: () => seededTensor([2, 28, 28, 1], 1), y: () => tf.tensor1d([1, 2]), loss: 'sparseCategoricalCrossentropy' },
  { name: 'cifar cnn (batch norm)', model: async () => buildCifarCnn({ widths: [4, 8], inputShape: [8, 8, 3] }), x: () => seededTensor([2, 8, 8, 3], 1), y: () => tf.tensor1d([1, 2]), loss: 'sparseCategoricalCrossentropy' },
  ...(['simpleRnn', 'lstm', 'gru'] as const).map((kind) => ({
    name: `siamese bi-${kind} + attention`,
    model: pair(kind),
    x: () => [paddedIds([3, 5], 5, 12, 1), paddedIds([5, 2], 5, 12, 2)],
    y: () => tf.tensor2d([[1], [0]]),
    loss: 'binaryCrossentropy',
  })),
  {
    name: 'transformer',
    model: async () => buildTransformerClassifier({ vocabSize: 10, sequenceLength: 5, modelDim: 8, numHeads: 2, feedForwardDim: 8, outputs: 1 }),
    x: () => paddedIds([5, 3], 5, 10, 1),
    y: () => tf.tensor2d([[1], [0]]),
    loss: 'binaryCrossentropy',
  },
];
for (const from of process.env.DATASETS_DIR ? ['conv_dw_13', 'conv_dw_12'] : []) {
  cases.push({
    name: `mobilenet fine-tuning (from ${from})`,
    model: async () => {
      const extractor = await loadMobileNetFeatureExtractor(path.join(process.env.DATASETS_DIR!, 'models', 'mobilenet_v1_0.25_224'));
      const model = buildTransferModel(extractor, buildTransferHead({ inputShape: [7, 7, 256], outputs: 2 }));
      setTrainableFrom(model, from);
      return model;
    },
    x: () => seededTensor([1, 224, 224, 3], 1),
    y: () => tf.tensor1d([1]),
    loss: 'sparseCategoricalCrossentropy',
  });
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const needs = new Map<string, string[]>();
  for (const c of cases) {
    const model = await c.model();
    model.compile({ optimizer: tf.train.adam(0.01), loss: c.loss });
    const [x, y] = [c.x(), c.y()];
    const info = await tf.profile(async () => {
      await model.trainOnBatch(x, y);
      return [];
    });
    // Names ending in `__op` are op scopes (ops with custom gradients), not kernels.
    needs.set(c.name, [...new Set(info.kernelNames)].filter((k) => !k.endsWith('__op')).sort());
    tf.dispose([x, y].flat());
    model.dispose();
  }
  const missing = (names: string[]) => names.filter((k) => tf.getKernel(k, 'wasm') === undefined);
  const stock = new Map([...needs].map(([name, ks]) => [name, missing(ks)]));
  registerCourseKernels();
  for (const [name, kernels] of needs) {
    console.log(`${name}: ${kernels.length} kernels`);
    console.log(`  missing on stock wasm:       ${stock.get(name)!.join(', ') || 'none'}`);
    console.log(`  missing after course kernels: ${missing(kernels).join(', ') || 'none'}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

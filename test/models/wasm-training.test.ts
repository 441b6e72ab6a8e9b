/**
 * Every builder trains on the wasm backend, from the same initial weights as on cpu: the first loss must match cpu
 * and a few SGD steps must lower it. Where wasm still lacks a training kernel, the case is skipped and names the
 * kernel (the list goes to docs/models-and-training.md, "Known gaps").
 */
import { skipBecause } from '../skip-reasons';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../lib/src/engine';
import {
  buildCharLanguageModel,
  buildCifarCnn,
  buildCrossAttentionPairClassifier,
  buildResidualCnn,
  buildMlp,
  buildMnistCnn,
  buildRnnEncoder,
  buildSiamesePairClassifier,
  buildTransferHead,
  buildTransformerClassifier,
  RecurrentKind,
} from '../../lib/src/models';
import { paddedIds, seededTensor, useCpuBackend } from './support';

interface WasmCase {
  name: string;
  build: () => tf.LayersModel;
  /** Inputs and labels, made on the current backend. */
  data: () => { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor };
  loss: string;
}

const pairEncoder = (kind: RecurrentKind) => () =>
  buildSiamesePairClassifier(
    buildRnnEncoder({ kind, vocabSize: 12, embeddingDim: 6, units: 5, bidirectional: true, pooling: 'attention', seed: 3 }),
    { seed: 4 },
  );
const pairData = () => ({
  x: [paddedIds([5, 3, 6, 2], 6, 12, 1), paddedIds([2, 6, 4, 4], 6, 12, 2)],
  y: tf.tensor2d([[1], [0], [1], [0]]),
});

const CASES: WasmCase[] = [
  {
    name: 'buildMlp',
    build: () => buildMlp({ inputDim: 2, hidden: [8, 8], outputs: 3, activation: 'relu', seed: 1 }),
    data: () => ({ x: seededTensor([16, 2], 1), y: tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3)) }),
    loss: 'sparseCategoricalCrossentropy',
  },
  {
    name: 'buildMnistCnn',
    build: () => buildMnistCnn({ filters: [4, 8], denseUnits: 16, dropout: 0, seed: 1 }),
    data: () => ({ x: tf.tidy(() => tf.abs(seededTensor([4, 28, 28, 1], 2))), y: tf.tensor1d([0, 1, 2, 3]) }),
    loss: 'sparseCategoricalCrossentropy',
  },
  {
    name: 'buildCifarCnn (batch norm)',
    build: () => buildCifarCnn({ widths: [4, 8], dropout: 0, inputShape: [12, 12, 3], seed: 1 }),
    data: () => ({ x: seededTensor([4, 12, 12, 3], 3), y: tf.tensor1d([0, 1, 2, 3]) }),
    loss: 'sparseCategoricalCrossentropy',
  },
  {
    name: 'buildResidualCnn (strided projection shortcuts)',
    build: () => buildResidualCnn({ widths: [4, 8], dropout: 0, inputShape: [12, 12, 3], seed: 1 }),
    data: () => ({ x: seededTensor([4, 12, 12, 3], 3), y: tf.tensor1d([0, 1, 2, 3]) }),
    loss: 'sparseCategoricalCrossentropy',
  },
  ...(['simpleRnn', 'lstm', 'gru'] as const).map((kind) => ({
    name: `buildSiamesePairClassifier over a bidirectional ${kind} with attention`,
    build: pairEncoder(kind),
    data: pairData,
    loss: 'binaryCrossentropy',
  })),
  {
    name: 'buildCrossAttentionPairClassifier over a bidirectional lstm',
    build: () =>
      buildCrossAttentionPairClassifier(
        buildRnnEncoder({ kind: 'lstm', vocabSize: 12, embeddingDim: 6, units: 5, bidirectional: true, pooling: 'none', sequenceLength: 6, seed: 3 }),
        { hidden: [4], seed: 4 },
      ),
    data: pairData,
    loss: 'binaryCrossentropy',
  },
  {
    name: 'buildCharLanguageModel (fused LSTM, a softmax per position)',
    build: () => buildCharLanguageModel({ vocabSize: 7, embeddingDim: 4, units: 6, seed: 2 }),
    data: () => ({ x: paddedIds([5, 5, 5], 5, 7, 3), y: tf.tidy(() => tf.expandDims(tf.cast(paddedIds([5, 5, 5], 5, 7, 8), 'float32'), -1)) }),
    loss: 'sparseCategoricalCrossentropy',
  },
  {
    name: 'buildTransformerClassifier',
    build: () => buildTransformerClassifier({ vocabSize: 10, sequenceLength: 6, modelDim: 8, numHeads: 2, feedForwardDim: 16, numLayers: 1, outputs: 1, dropout: 0, seed: 1 }),
    data: () => ({ x: paddedIds([6, 4, 2, 5], 6, 10, 4), y: tf.tensor2d([[1], [0], [1], [0]]) }),
    loss: 'binaryCrossentropy',
  },
  {
    name: 'buildTransferHead',
    build: () => buildTransferHead({ inputShape: [7, 7, 8], hidden: [6], outputs: 3, seed: 1 }),
    data: () => ({ x: tf.tidy(() => tf.relu(seededTensor([4, 7, 7, 8], 5))), y: tf.tensor1d([0, 1, 2, 0]) }),
    loss: 'sparseCategoricalCrossentropy',
  },
];

/** Four SGD steps; the training-mode loss before each (inference mode would use batch norm's moving averages). */
async function threeSteps(c: WasmCase): Promise<number[]> {
  const model = c.build();
  model.compile({ optimizer: tf.train.sgd(0.1), loss: c.loss });
  const { x, y } = c.data();
  try {
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) losses.push((await model.trainOnBatch(x, y)) as number);
    return losses;
  } finally {
    tf.dispose([x, y].flat());
    model.dispose();
  }
}

/** The kernel named by TF.js's "Kernel 'X' not registered for backend 'wasm'", if that is the error. */
export function missingWasmKernel(error: unknown): string | undefined {
  const match = /Kernel '([^']+)' not registered for backend 'wasm'/.exec(String((error as Error)?.message ?? error));
  return match?.[1];
}

describe('models: every builder trains on wasm like on cpu', function () {
  const cpuLosses = new Map<string, number[]>();
  before(async function () {
    await useCpuBackend();
    for (const c of CASES) cpuLosses.set(c.name, await threeSteps(c));
    try {
      await initEngine({ backend: 'wasm', verbose: false });
    } catch (error) {
      skipBecause(this, `the wasm backend is unavailable: ${(error as Error).message}`);
    }
  });
  after(useCpuBackend);

  for (const c of CASES) {
    it(c.name, async function () {
      let losses: number[];
      try {
        losses = await threeSteps(c);
      } catch (error) {
        const kernel = missingWasmKernel(error);
        if (kernel === undefined) throw error;
        skipBecause(this, `wasm lacks the training kernel '${kernel}'`);
      }
      const cpu = cpuLosses.get(c.name)!;
      assert.ok(Math.abs(losses[0] - cpu[0]) <= 1e-4 * Math.max(1, Math.abs(cpu[0])), `first loss: wasm ${losses[0]}, cpu ${cpu[0]}`);
      assert.ok(losses[3] < losses[0], `loss did not fall on wasm: ${losses.join(' -> ')}`);
      for (let i = 1; i < 4; i++) {
        assert.ok(Math.abs(losses[i] - cpu[i]) <= 2e-3 * Math.max(1, Math.abs(cpu[i])), `loss ${i}: wasm ${losses[i]}, cpu ${cpu[i]}`);
      }
    });
  }
});

/**
 * Gradient checks of the course's own layers against the cpu backend: each case builds a model with deterministic
 * weights; `assertGradientsMatchCpu` computes d(sum(output * r))/d(every weight and float input) on cpu and on the
 * backend under test from the same weights and inputs and compares them.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'assert';
import { Rng } from '../../lib/src/engine';
import {
  AttentionPooling,
  CrossAttention,
  InitializerSeeds,
  MultiHeadSelfAttention,
  PairFeatures,
  SinusoidalPositionalEncoding,
  buildCrossAttentionPairClassifier,
  buildRnnEncoder,
  buildSiamesePairClassifier,
  buildTransformerTagger,
  fusedLstm,
  transformerEncoderBlock,
} from '../../lib/src/models';
import { BackendUnderTest, PlainTensor, assertAllClose, randomTensor, toTensor } from '../kernels/backend-compare';

export interface GradientCase {
  name: string;
  /** A fresh model with deterministic initial weights. */
  build: () => tf.LayersModel;
  /** Float inputs (their gradient is compared too) and int/mask inputs (not differentiated). */
  inputs: () => { float: PlainTensor[]; fixed: PlainTensor[] };
}

const rng = new Rng(11);
const x = randomTensor(rng, [2, 5, 8]);
const paddingMask: PlainTensor = { shape: [2, 5], values: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1] };
/** Token ids with padding (0) at the end of the first row. */
const tokenIds: PlainTensor = { shape: [2, 5], values: [1, 4, 8, 2, 0, 3, 3, 7, 6, 5], dtype: 'int32' };

function attentionModel(causal: boolean): tf.LayersModel {
  const sequence = tf.input({ shape: [5, 8] });
  const mask = tf.input({ shape: [5] });
  const layer = new MultiHeadSelfAttention({ numHeads: 2, causal, seed: 3 });
  return tf.model({ inputs: [sequence, mask], outputs: layer.apply([sequence, mask]) as tf.SymbolicTensor });
}

/** The Transformer layers of lesson 05. */
export const TRANSFORMER_CASES: GradientCase[] = [
  { name: 'MultiHeadSelfAttention with a padding mask', build: () => attentionModel(false), inputs: () => ({ float: [x], fixed: [paddingMask] }) },
  { name: 'MultiHeadSelfAttention, causal and padded', build: () => attentionModel(true), inputs: () => ({ float: [x], fixed: [paddingMask] }) },
  {
    name: 'SinusoidalPositionalEncoding',
    build: () => {
      const input = tf.input({ shape: [5, 8] });
      return tf.model({ inputs: input, outputs: new SinusoidalPositionalEncoding().apply(input) as tf.SymbolicTensor });
    },
    inputs: () => ({ float: [x], fixed: [] }),
  },
  {
    name: 'transformerEncoderBlock (attention, residuals, layer norms, feed-forward)',
    build: () => {
      const sequence = tf.input({ shape: [5, 8] });
      const mask = tf.input({ shape: [5] });
      const out = transformerEncoderBlock(sequence, mask, { numHeads: 2, feedForwardDim: 16, dropout: 0, name: 'block' }, new InitializerSeeds(7));
      return tf.model({ inputs: [sequence, mask], outputs: out });
    },
    inputs: () => ({ float: [x], fixed: [paddingMask] }),
  },
  {
    name: 'buildTransformerTagger (two blocks)',
    build: () => buildTransformerTagger({ vocabSize: 9, sequenceLength: 5, modelDim: 8, numHeads: 2, feedForwardDim: 16, numLayers: 2, outputs: 9, dropout: 0, seed: 2 }),
    inputs: () => ({ float: [], fixed: [tokenIds] }),
  },
];

/** The recurrent, attention and pair layers of lessons 03 and 04 (the fused LSTM runs the course's kernels on cpu). */
export const SEQUENCE_PAIR_CASES: GradientCase[] = [
  {
    name: 'fusedLstm (returnSequences, sigmoid gates) and AttentionPooling (additive) over a padding mask',
    build: () => {
      const sequence = tf.input({ shape: [5, 8] });
      const mask = tf.input({ shape: [5] });
      const states = fusedLstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }) }).apply(sequence) as tf.SymbolicTensor;
      const pooled = new AttentionPooling({ units: 6, seed: 3 }).apply([states, mask]) as tf.SymbolicTensor;
      return tf.model({ inputs: [sequence, mask], outputs: pooled });
    },
    inputs: () => ({ float: [x], fixed: [paddingMask] }),
  },
  {
    name: 'siamese pair classifier: fused bidirectional LSTM encoder (mean pooling), PairFeatures, head',
    build: () => buildSiamesePairClassifier(buildRnnEncoder({ kind: 'lstm', vocabSize: 9, embeddingDim: 6, units: 4, bidirectional: true, pooling: 'mean', sequenceLength: 5, seed: 4 }), { hidden: [5], seed: 5 }),
    inputs: () => ({ float: [], fixed: [tokenIds, { ...tokenIds, values: [...tokenIds.values].reverse() }] }),
  },
  {
    name: 'cross-attention pair classifier: fused LSTM sequence encoder, CrossAttention, pooling, PairFeatures',
    build: () => buildCrossAttentionPairClassifier(buildRnnEncoder({ kind: 'lstm', vocabSize: 9, embeddingDim: 6, units: 4, pooling: 'none', sequenceLength: 5, seed: 6 }), { hidden: [5], seed: 7 }),
    inputs: () => ({ float: [], fixed: [tokenIds, { ...tokenIds, values: [3, 1, 0, 0, 0, 2, 2, 5, 6, 0] }] }),
  },
  {
    name: 'CrossAttention and PairFeatures on float sequences',
    build: () => {
      const a = tf.input({ shape: [5, 8] });
      const b = tf.input({ shape: [5, 8] });
      const compared = new CrossAttention({}).apply([a, b]) as tf.SymbolicTensor;
      const pooled = tf.layers.globalAveragePooling1d({}).apply(compared) as tf.SymbolicTensor;
      const features = new PairFeatures().apply([pooled, pooled]) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: features });
    },
    inputs: () => ({ float: [x, randomTensor(new Rng(12), [2, 5, 8])], fixed: [] }),
  },
];

/** d(sum(output * weights))/d(every weight and float input), as plain numbers, on `backend`. */
async function gradientsOn(backend: BackendUnderTest, c: GradientCase, weights: PlainTensor[]): Promise<Map<string, PlainTensor>> {
  await tf.setBackend(backend);
  const model = c.build();
  model.setWeights(weights.map(toTensor));
  const { float, fixed } = c.inputs();
  const floats = float.map((p) => tf.variable(toTensor(p)));
  const others = fixed.map(toTensor);
  const batch = [...float, ...fixed][0].shape[0];
  const outputShape = model.outputs[0].shape.map((d, axis) => d ?? (axis === 0 ? batch : 2));
  const projection = toTensor(randomTensor(new Rng(5), outputShape));
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply([...floats, ...others], { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(out, projection)) as tf.Scalar;
  });
  const result = new Map<string, PlainTensor>();
  result.set('value', { shape: [], values: [(await value.data())[0]] });
  for (const [i, v] of floats.entries()) result.set(`input ${i}`, { shape: v.shape.slice(), values: Array.from(await grads[v.name].data()) });
  for (const [i, w] of model.trainableWeights.entries()) {
    const g = grads[(w.read() as tf.Variable).name];
    assert.ok(g !== undefined, `no gradient for ${w.originalName}`);
    result.set(`weight ${i} ${w.originalName.split('/').pop()} [${w.shape}]`, { shape: w.shape.slice() as number[], values: Array.from(await g.data()) });
  }
  tf.dispose([value, projection, ...floats, ...others, ...Object.values(grads)]);
  model.dispose();
  return result;
}

/** The case's gradients on `backend` equal the cpu backend's (and none is zero everywhere, else it proves nothing). */
export async function assertGradientsMatchCpu(c: GradientCase, backend: BackendUnderTest): Promise<void> {
  await tf.setBackend('cpu');
  const reference = c.build();
  const weights = reference.getWeights().map((w) => ({ shape: w.shape.slice(), values: Array.from(w.dataSync()) }));
  reference.dispose();
  const expected = await gradientsOn('cpu', c, weights);
  const actual = await gradientsOn(backend, c, weights);
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [name, g] of expected) {
    if (name !== 'value') assert.ok(g.values.some((v) => v !== 0), `${c.name}: d / d ${name} is all zeros`);
    assertAllClose(actual.get(name)!, g, `${c.name}: d / d ${name}`, 1e-3, 1e-6);
  }
}

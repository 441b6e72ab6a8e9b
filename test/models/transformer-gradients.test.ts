/**
 * The Transformer layers lesson 05 opens up compute the same gradients on wasm as on cpu: multi-head self-attention
 * (padding mask, causal mask), the positional encoding, one encoder block, and the per-position tagger, from the
 * same weights and inputs, for every weight and for the input.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'assert';
import { Rng } from '../../lib/src/engine';
import {
  InitializerSeeds,
  MultiHeadSelfAttention,
  SinusoidalPositionalEncoding,
  buildTransformerTagger,
  transformerEncoderBlock,
} from '../../lib/src/models';
import { BackendUnderTest, PlainTensor, assertAllClose, prepareBackends, randomTensor, restoreBackend, toTensor } from '../kernels/backend-compare';
import { skipBecause } from '../skip-reasons';

interface GradientCase {
  name: string;
  /** A fresh model with deterministic initial weights. */
  build: () => tf.LayersModel;
  /** Float inputs (their gradient is compared too) and int/mask inputs (not differentiated). */
  inputs: () => { float: PlainTensor[]; fixed: PlainTensor[] };
}

const rng = new Rng(11);
const x = randomTensor(rng, [2, 5, 8]);
const paddingMask: PlainTensor = { shape: [2, 5], values: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1] };

function attentionModel(causal: boolean): tf.LayersModel {
  const sequence = tf.input({ shape: [5, 8] });
  const mask = tf.input({ shape: [5] });
  const layer = new MultiHeadSelfAttention({ numHeads: 2, causal, seed: 3 });
  return tf.model({ inputs: [sequence, mask], outputs: layer.apply([sequence, mask]) as tf.SymbolicTensor });
}

const CASES: GradientCase[] = [
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
    inputs: () => ({ float: [], fixed: [{ shape: [2, 5], values: [1, 4, 8, 2, 0, 3, 3, 7, 6, 5], dtype: 'int32' }] }),
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
  const outputShape = model.outputs[0].shape.map((d) => d ?? 2);
  const projection = toTensor(randomTensor(new Rng(5), outputShape));
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply([...floats, ...others], { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(out, projection)) as tf.Scalar;
  });
  const result = new Map<string, PlainTensor>();
  result.set('value', { shape: [], values: [value.dataSync()[0]] });
  floats.forEach((v, i) => result.set(`input ${i}`, { shape: v.shape.slice(), values: Array.from(grads[v.name].dataSync()) }));
  model.trainableWeights.forEach((w, i) => {
    const g = grads[(w.read() as tf.Variable).name];
    assert.ok(g !== undefined, `no gradient for ${w.originalName}`);
    result.set(`weight ${i} ${w.originalName.split("/").pop()} [${w.shape}]`, { shape: w.shape.slice() as number[], values: Array.from(g.dataSync()) });
  });
  tf.dispose([value, projection, ...floats, ...others, ...Object.values(grads)]);
  model.dispose();
  return result;
}

describe('models: Transformer layers have the same gradients on wasm and cpu', function () {
  before(async function () {
    try {
      await prepareBackends();
    } catch (error) {
      skipBecause(this, `the wasm backend is unavailable: ${(error as Error).message}`);
    }
  });
  after(restoreBackend);

  for (const c of CASES) {
    it(c.name, async () => {
      await tf.setBackend('cpu');
      const reference = c.build();
      const weights = reference.getWeights().map((w) => ({ shape: w.shape.slice(), values: Array.from(w.dataSync()) }));
      reference.dispose();
      const expected = await gradientsOn('cpu', c, weights);
      const actual = await gradientsOn('wasm', c, weights);
      assert.deepEqual([...actual.keys()], [...expected.keys()]);
      // every weight gets a gradient that is not zero everywhere (else the comparison proves nothing)
      for (const [name, g] of expected) {
        if (name !== 'value') assert.ok(g.values.some((v) => v !== 0), `${c.name}: d / d ${name} is all zeros`);
        assertAllClose(actual.get(name)!, g, `${c.name}: d / d ${name}`, 1e-3, 1e-6);
      }
    });
  }
});

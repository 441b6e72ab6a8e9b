import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildRnnEncoder } from '../../lib/src/models';
import { assertClose, paddedIds, useCpuBackend } from './support';

const isFusedGru = (l: tf.layers.Layer) => l.getClassName() === 'CourseFusedGru';

/** Copy `source`'s weights into `target` by role: embedding, forward, backward (kernel, recurrent, bias), attention. */
function copyWeightsByRole(source: tf.LayersModel, target: tf.LayersModel): void {
  const role = (name: string) => ['embedding', 'forward', 'backward', 'attention'].findIndex((part) => name.includes(part));
  const byRole = (m: tf.LayersModel) => [...m.weights].sort((x, y) => role(x.originalName) - role(y.originalName));
  const sourceWeights = byRole(source);
  const targetWeights = byRole(target);
  assert.equal(targetWeights.length, sourceWeights.length);
  targetWeights.forEach((w, i) => {
    assert.deepEqual(w.shape, sourceWeights[i].shape, `${w.originalName} vs ${sourceWeights[i].originalName}`);
    w.write(sourceWeights[i].read());
  });
}

describe('models: the fused GRU of the sentence encoders', () => {
  before(useCpuBackend);

  for (const bidirectional of [true, false]) {
    for (const pooling of ['mean', 'max', 'attention', 'none'] as const) {
      it(`${bidirectional ? 'bidirectional' : 'forward'} GRU, ${pooling} pooling: the fused encoder gives the masked tf.layers.gru encoder's output`, () => {
        const options = { kind: 'gru' as const, vocabSize: 15, embeddingDim: 5, units: 4, bidirectional, pooling, seed: 7 };
        const fused = buildRnnEncoder(options);
        const layered = buildRnnEncoder({ ...options, fused: false });
        assert.equal(fused.layers.filter(isFusedGru).length, bidirectional ? 2 : 1, 'the default GRU encoder is fused');
        assert.ok(!layered.layers.some(isFusedGru), 'fused: false keeps tf.layers.gru');
        assert.equal(fused.countParams(), layered.countParams());
        copyWeightsByRole(fused, layered);
        const ids = paddedIds([6, 3, 1, 4], 6, 15, 5);
        const [a, b] = [fused, layered].map((m) => m.predict(ids) as tf.Tensor);
        if (pooling === 'none') {
          // the states at real words agree (those at padding are junk in the fused encoder, and pooling skips them)
          const mask = tf.cast(tf.greater(ids, 0), 'float32').expandDims(2);
          const [am, bm] = [tf.mul(a, mask), tf.mul(b, mask)];
          assertClose(am.dataSync(), bm.dataSync(), 1e-5, 'states at real words');
          tf.dispose([mask, am, bm]);
        } else {
          assertClose(a.dataSync(), b.dataSync(), 1e-5, `${pooling} encodings`);
        }
        tf.dispose([ids, a, b]);
        fused.dispose();
        layered.dispose();
      });
    }
  }

  it('the gradients of every weight agree with the stock encoder\'s (bidirectional, mean pooling)', () => {
    const options = { kind: 'gru' as const, vocabSize: 15, embeddingDim: 5, units: 4, bidirectional: true, pooling: 'mean' as const, seed: 3 };
    const fused = buildRnnEncoder(options);
    const layered = buildRnnEncoder({ ...options, fused: false });
    copyWeightsByRole(fused, layered);
    const ids = paddedIds([5, 2, 4], 5, 15, 8);
    const upstream = tf.randomNormal([3, 8], 0, 1, 'float32', 4);
    const gradients = (m: tf.LayersModel) => {
      const role = (name: string) => ['embedding', 'forward', 'backward'].findIndex((part) => name.includes(part));
      const variables = [...m.trainableWeights].sort((x, y) => role(x.originalName) - role(y.originalName)).map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(ids) as tf.Tensor, upstream)) as tf.Scalar, variables);
      return variables.map((v) => grads[v.name]);
    };
    const [a, b] = [gradients(fused), gradients(layered)];
    assert.equal(a.length, 7);
    a.forEach((g, i) => assertClose(g.dataSync(), b[i].dataSync(), 1e-5, `gradient ${i}`));
    tf.dispose([ids, upstream, ...a, ...b]);
    fused.dispose();
    layered.dispose();
  });

  it('keeps tf.layers.gru where the fused path does not apply: dropout, last-state pooling, fused: false', () => {
    const base = { kind: 'gru' as const, vocabSize: 15, embeddingDim: 5, units: 4, seed: 1 };
    for (const options of [
      { ...base, pooling: 'mean' as const, dropout: 0.2 },
      { ...base, pooling: 'last' as const },
      { ...base, pooling: 'max' as const, fused: false },
    ]) {
      const encoder = buildRnnEncoder(options);
      assert.ok(!encoder.layers.some(isFusedGru), JSON.stringify(options));
      encoder.dispose();
    }
  });
});

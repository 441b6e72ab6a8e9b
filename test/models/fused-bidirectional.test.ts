import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ReverseRealSteps, buildRnnEncoder } from '../../lib/src/models';
import { assertClose, paddedIds, useCpuBackend } from './support';

describe('models: the fused bidirectional LSTM of the sentence encoders', () => {
  before(useCpuBackend);

  it('ReverseRealSteps reverses each row\'s real steps in place, leaves padding, and is its own inverse', () => {
    const x = tf.tensor3d([[[1], [2], [3], [0]], [[4], [5], [0], [0]]]);
    const mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]]);
    const layer = new ReverseRealSteps();
    const reversed = layer.apply([x, mask]) as tf.Tensor;
    assert.deepEqual(reversed.arraySync(), [[[3], [2], [1], [0]], [[5], [4], [0], [0]]]);
    assert.deepEqual((layer.apply([reversed, mask]) as tf.Tensor).arraySync(), x.arraySync());
  });

  for (const pooling of ['mean', 'max', 'attention'] as const) {
    it(`${pooling} pooling: the fused encoder gives the masked tf.layers encoder's output with the same weights`, () => {
      const options = { kind: 'lstm' as const, vocabSize: 15, embeddingDim: 5, units: 4, bidirectional: true, pooling, seed: 7 };
      const fused = buildRnnEncoder(options);
      const layered = buildRnnEncoder({ ...options, fused: false });
      assert.ok(fused.layers.some((l) => l.getClassName() === 'CourseFusedLstm'), 'the default LSTM encoder is fused');
      assert.ok(!layered.layers.some((l) => l.getClassName() === 'CourseFusedLstm'), 'fused: false keeps tf.layers.lstm');
      // the same values for the weights of the same role: embedding, forward, backward (kernel, recurrent, bias), pooling
      const role = (name: string) => ['embedding', 'forward', 'backward', 'attention'].findIndex((part) => name.includes(part));
      const byRole = (m: tf.LayersModel) => [...m.weights].sort((x, y) => role(x.originalName) - role(y.originalName));
      const sourceWeights = byRole(fused);
      byRole(layered).forEach((w, i) => {
        assert.deepEqual(w.shape, sourceWeights[i].shape, `${w.originalName} vs ${sourceWeights[i].originalName}`);
        w.write(sourceWeights[i].read());
      });
      const ids = paddedIds([6, 3, 1, 4], 6, 15, 5);
      const [a, b] = [fused, layered].map((m) => m.predict(ids) as tf.Tensor);
      assertClose(a.dataSync(), b.dataSync(), 1e-5, `${pooling} encodings`);
      tf.dispose([ids, a, b]);
    });
  }
});

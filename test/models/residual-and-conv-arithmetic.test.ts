import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  buildResidualCnn,
  conv2dParameterCount,
  denseParameterCount,
  slidingWindowOutputSize,
} from '../../lib/src/models';
import { saveAndReload, seededTensor, trainBriefly, useCpuBackend } from './support';

describe('models: residual CNN and convolution arithmetic', () => {
  before(useCpuBackend);

  describe('slidingWindowOutputSize', () => {
    it('agrees with the shapes TF.js computes for conv2d and pooling', () => {
      const x = tf.zeros([1, 13, 13, 1]);
      for (const padding of ['valid', 'same'] as const) {
        for (const stride of [1, 2, 3]) {
          for (const window of [1, 2, 3, 5]) {
            const conv = tf.conv2d(x as tf.Tensor4D, tf.zeros([window, window, 1, 1]) as tf.Tensor4D, stride, padding);
            const pool = tf.maxPool(x as tf.Tensor4D, window, stride, padding);
            const expected = slidingWindowOutputSize(13, window, { stride, padding });
            assert.equal(conv.shape[1], expected, `conv ${window}x${window} stride ${stride} ${padding}`);
            assert.equal(pool.shape[1], expected, `pool ${window}x${window} stride ${stride} ${padding}`);
            tf.dispose([conv, pool]);
          }
        }
      }
      x.dispose();
    });

    it('says why a shape is impossible', () => {
      assert.throws(() => slidingWindowOutputSize(4, 5), /window of 5 does not fit in 4/);
      assert.throws(() => slidingWindowOutputSize(28, 3, { stride: 0 }), /stride must be a positive integer/);
      assert.throws(() => slidingWindowOutputSize(28, 3, { padding: 'full' as 'same' }), /padding must be/);
    });
  });

  it('parameter counts match the layers TF.js builds', () => {
    const conv = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 3], filters: 16, kernelSize: 5 })] });
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 64, useBias: false })] });
    assert.equal(conv2dParameterCount(5, 3, 16), conv.countParams());
    assert.equal(denseParameterCount(784, 64, false), dense.countParams());
    conv.dispose();
    dense.dispose();
  });

  describe('buildResidualCnn', () => {
    it('halves the resolution per stage, projects the shortcut only where shapes change, and outputs probabilities', () => {
      const model = buildResidualCnn({ widths: [8, 16], blocksPerStage: 2, seed: 1 });
      const shapeOf = (name: string) => model.getLayer(name).outputShape as number[];
      assert.deepEqual(shapeOf('stage1_block2_out'), [null, 32, 32, 8]);
      assert.deepEqual(shapeOf('stage2_block1_out'), [null, 16, 16, 16]);
      const names = model.layers.map((l) => l.name);
      assert.ok(names.includes('stage2_block1_projection'), 'a stride-2 block with new width needs a projection');
      assert.ok(!names.includes('stage1_block1_projection'), 'the stem already has the first stage width');
      assert.ok(!names.includes('stage2_block2_projection'), 'same shape in and out: identity shortcut');
      const out = model.predict(seededTensor([2, 32, 32, 3], 1)) as tf.Tensor;
      assert.deepEqual(out.shape, [2, 10]);
      for (const s of tf.sum(out, 1).dataSync()) assert.ok(Math.abs(s - 1) < 1e-5);
      out.dispose();
      model.dispose();
    });

    it('the same seed builds the same weights; training lowers the loss; save/load keeps the outputs', async () => {
      const a = buildResidualCnn({ widths: [4, 8], dropout: 0, inputShape: [8, 8, 3], seed: 7 });
      const b = buildResidualCnn({ widths: [4, 8], dropout: 0, inputShape: [8, 8, 3], seed: 7 });
      a.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), b.getWeights()[i].dataSync()));
      b.dispose();
      a.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
      const x = seededTensor([8, 8, 8, 3], 2);
      const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'float32');
      const { first, last } = await trainBriefly(a, x, y, 15);
      assert.ok(last < first, `loss ${first} -> ${last}`);
      const reloaded = await saveAndReload(a);
      const [p, q] = [a.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor];
      assert.ok(tf.max(tf.abs(tf.sub(p, q))).dataSync()[0] < 1e-6);
      tf.dispose([x, y, p, q]);
      a.dispose();
      reloaded.dispose();
    });

    it('rejects bad options with the option name', () => {
      assert.throws(() => buildResidualCnn({ widths: [] }), /at least one stage/);
      assert.throws(() => buildResidualCnn({ blocksPerStage: 0 }), /blocksPerStage must be a positive integer/);
      assert.throws(() => buildResidualCnn({ dropout: 1 }), /dropout must be in \[0, 1\)/);
    });
  });
});

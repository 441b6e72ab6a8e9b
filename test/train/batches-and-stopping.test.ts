import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { EarlyStoppingWithRestore, shuffledBatches } from '../../lib/src/train';
import { assertNoTensorLeak, useCpuBackend } from '../models/support';

describe('train: seeded batches and early stopping', () => {
  before(useCpuBackend);

  describe('shuffledBatches', () => {
    /** The first `count` batches as arrays of example values. */
    async function take(ds: tf.data.Dataset<tf.TensorContainer>, count: number) {
      const it = await ds.iterator();
      const out: { xs: number[]; ys: number[] }[] = [];
      for (let i = 0; i < count; i++) {
        const { xs, ys } = (await it.next()).value as { xs: tf.Tensor; ys: tf.Tensor };
        out.push({ xs: Array.from(xs.dataSync()), ys: Array.from(ys.dataSync()) });
        tf.dispose([xs, ys]);
      }
      return out;
    }

    it('covers every example once per epoch, keeps x and y aligned, smaller last batch', async () => {
      const x = tf.tensor1d([0, 1, 2, 3, 4, 5, 6]);
      const y = tf.tensor1d([0, 10, 20, 30, 40, 50, 60]);
      const batches = await assertNoTensorLeak(() => take(shuffledBatches(x, y, { batchSize: 3, seed: 1 }), 6), 'reading batches');
      assert.deepEqual(batches.map((b) => b.xs.length), [3, 3, 1, 3, 3, 1]);
      for (const epoch of [batches.slice(0, 3), batches.slice(3)]) {
        assert.deepEqual(epoch.flatMap((b) => b.xs).sort(), [0, 1, 2, 3, 4, 5, 6]);
      }
      batches.forEach((b) => assert.deepEqual(b.ys, b.xs.map((v) => v * 10)));
      const firstEpoch = batches.slice(0, 3).flatMap((b) => b.xs);
      const secondEpoch = batches.slice(3).flatMap((b) => b.xs);
      assert.notDeepEqual(firstEpoch, secondEpoch, 'a new order each epoch');
      tf.dispose([x, y]);
    });

    it('the same seed gives the same order; shuffle: false keeps the original order', async () => {
      const x = tf.range(0, 10);
      const order = async (seed: number, shuffle = true) => (await take(shuffledBatches(x, x, { batchSize: 10, seed, shuffle }), 1))[0].xs;
      assert.deepEqual(await order(3), await order(3));
      assert.notDeepEqual(await order(3), await order(4));
      assert.deepEqual(await order(3, false), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      x.dispose();
    });

    it('several inputs are gathered with the same indices', async () => {
      const a = tf.tensor1d([1, 2, 3, 4]);
      const b = tf.tensor1d([-1, -2, -3, -4]);
      const it = await shuffledBatches([a, b], a, { batchSize: 4, seed: 9 }).iterator();
      const { xs } = (await it.next()).value as { xs: tf.Tensor[]; ys: tf.Tensor };
      assert.deepEqual(Array.from(xs[1].dataSync()), Array.from(xs[0].dataSync(), (v) => -v));
      tf.dispose([a, b, ...xs]);
    });

    it('rejects mismatched lengths', () => {
      assert.throws(() => shuffledBatches(tf.zeros([3]), tf.zeros([4]), { batchSize: 2, seed: 1 }), /differ in length: 3 vs 4/);
    });
  });

  describe('EarlyStoppingWithRestore', () => {
    /** Drive the callback by hand over a list of monitored values, changing the weights every epoch. */
    async function drive(stopper: EarlyStoppingWithRestore, key: string, values: number[]) {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
      stopper.setModel(model);
      await stopper.onTrainBegin();
      let epochs = 0;
      for (const [epoch, value] of values.entries()) {
        const weight = tf.tensor2d([[epoch]]);
        model.setWeights([weight]);
        weight.dispose();
        await stopper.onEpochEnd(epoch, { [key]: value });
        epochs++;
        if (model.stopTraining) break;
      }
      await stopper.onTrainEnd();
      const weight = model.getWeights()[0].dataSync()[0];
      model.dispose();
      return { epochs, weight };
    }

    it('minimises a loss: stops after `patience` epochs without improvement, restores the best epoch', async () => {
      const stopper = new EarlyStoppingWithRestore({ monitor: 'val_loss', patience: 2 });
      const run = await drive(stopper, 'val_loss', [1.0, 0.5, 0.6, 0.55, 0.4]);
      assert.equal(run.epochs, 4, 'epochs 2 and 3 do not improve on 0.5');
      assert.equal(stopper.bestEpoch, 1);
      assert.equal(stopper.stoppedEpoch, 3);
      assert.equal(run.weight, 1, 'the weights of epoch 1 are back');
    });

    it('maximises accuracy-like keys, honours minDelta, restores without an early stop too', async () => {
      const stopper = new EarlyStoppingWithRestore({ monitor: 'val_acc', patience: 5, minDelta: 0.01 });
      assert.equal(stopper.direction, 'max');
      const run = await drive(stopper, 'val_acc', [0.5, 0.8, 0.805, 0.7]);
      assert.equal(stopper.bestEpoch, 1, '0.805 is not 0.01 better than 0.8');
      assert.equal(stopper.stoppedEpoch, -1);
      assert.equal(run.weight, 1);
    });

    it('leaks no tensors and explains a missing key', async () => {
      const stopper = new EarlyStoppingWithRestore({ monitor: 'val_loss', patience: 0 });
      await drive(stopper, 'val_loss', [1]); // warm-up: model and kernels
      await assertNoTensorLeak(() => drive(stopper, 'val_loss', [3, 2, 1, 2]), 'early stopping');
      await assert.rejects(drive(stopper, 'loss', [1]), /watches 'val_loss', but the epoch logs only have: loss/);
    });
  });
});

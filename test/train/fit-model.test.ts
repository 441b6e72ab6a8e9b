import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildMlp } from '../../lib/src/models';
import { compileClassifier, fitModel, historyRows, historySeries, learningRateScheduler, stepDecaySchedule } from '../../lib/src/train';
import { assertNoTensorLeak, useCpuBackend } from '../models/support';

/** Two Gaussian blobs in 2-D, class = which blob; deterministic. */
function blobs(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const noise = tf.randomNormal([n, 2], 0, 0.6, 'float32', seed);
    const centres = tf.tensor2d(labels.map((c) => (c === 1 ? [1, 1] : [-1, -1])));
    return { x: tf.add(centres, noise) as tf.Tensor2D, y: tf.tensor1d(labels, 'int32') };
  });
}

function mlp(seed = 1, outputs = 2) {
  return buildMlp({ inputDim: 2, hidden: [8], outputs, activation: 'relu', seed });
}

describe('train: fitModel', () => {
  before(useCpuBackend);
  let data: { x: tf.Tensor2D; y: tf.Tensor1D };
  let val: { x: tf.Tensor2D; y: tf.Tensor1D };
  before(() => {
    data = blobs(64, 1);
    val = blobs(32, 2);
  });
  after(() => tf.dispose([data.x, data.y, val.x, val.y]));

  it('trains on int32 class ids and returns a typed per-epoch history', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'adam', learningRate: 0.05 });
    const history = await fitModel(model, data, { epochs: 4, batchSize: 16, validation: val, seed: 3 });
    assert.equal(history.epochs.length, 4);
    assert.deepEqual(history.metricNames, ['acc']);
    const first = history.epochs[0];
    const last = history.epochs[3];
    assert.equal(first.examples, 64);
    assert.ok(first.examplesPerSecond > 0 && first.seconds >= first.trainSeconds);
    assert.ok(last.loss < first.loss, `loss ${first.loss} -> ${last.loss}`);
    assert.ok(last.valLoss !== undefined && last.valMetrics?.acc !== undefined);
    assert.ok(last.valMetrics.acc > 0.8, `val acc ${last.valMetrics.acc}`);
    assert.ok(Math.abs((last.learningRate ?? 0) - 0.05) < 1e-9);
    assert.deepEqual(historySeries(history, 'val_acc'), history.epochs.map((e) => e.valMetrics?.acc));
    assert.deepEqual(Object.keys(historyRows(history)[0]).slice(0, 5), ['epoch', 'loss', 'acc', 'val_loss', 'val_acc']);
    assert.equal(history.stoppedEarly, false);
    model.dispose();
  });

  it('the same seed gives the same run; another seed another batch order', async () => {
    const run = async (seed: number) => {
      const model = compileClassifier(mlp(5), { optimizer: 'sgd', learningRate: 0.1 });
      const h = await fitModel(model, data, { epochs: 2, batchSize: 8, seed });
      const w = Array.from(model.getWeights()[0].dataSync());
      model.dispose();
      return { losses: historySeries(h, 'loss'), w };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.w, c.w);
  });

  it('leaks no tensors (validation split, int labels, early stopping included)', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'adam' });
    const options = { epochs: 2, batchSize: 16, validation: 0.25, earlyStopping: { patience: 0 } } as const;
    await fitModel(model, data, options); // creates the optimiser's state
    await assertNoTensorLeak(() => fitModel(model, data, options), 'fitModel');
    model.dispose();
  });

  it('holds out the last fraction as validation', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'adam' });
    const history = await fitModel(model, data, { epochs: 1, batchSize: 10, validation: 0.25 });
    assert.equal(history.epochs[0].examples, 48);
    assert.ok(history.epochs[0].valLoss !== undefined);
    model.dispose();
  });

  it('early stopping stops and restores the best weights', async () => {
    // Validation labels are the opposite of the training labels: validation loss is best before training moves on.
    const flipped = tf.sub(1, val.y) as tf.Tensor1D;
    const model = compileClassifier(mlp(2), { optimizer: 'adam', learningRate: 0.05 });
    const history = await fitModel(model, data, {
      epochs: 20,
      batchSize: 16,
      validation: { x: val.x, y: flipped },
      earlyStopping: { monitor: 'val_loss', patience: 1 },
      seed: 4,
    });
    assert.equal(history.stoppedEarly, true);
    assert.equal(history.bestEpoch, 0);
    assert.equal(history.epochs.length, 2, 'best at 0, no better at 1 (patience 1)');
    assert.equal(history.restoredBestWeights, true);
    const [valLoss] = model.evaluate(val.x, tf.cast(flipped, 'float32'), { batchSize: 256 }) as tf.Scalar[] as unknown as tf.Scalar[];
    const restored = (Array.isArray(valLoss) ? valLoss[0] : valLoss) as tf.Scalar;
    assert.ok(Math.abs(restored.dataSync()[0] - (history.epochs[0].valLoss ?? NaN)) < 1e-5, 'the model is back at epoch 0');
    tf.dispose([flipped, restored]);
    model.dispose();
  });

  it('early stopping on a validation value accepts an epoch cut short by stopTraining, and nothing leaks', async () => {
    const model = compileClassifier(mlp(3), { optimizer: 'adam' });
    await model.trainOnBatch(data.x, tf.cast(data.y, 'float32')); // optimiser state
    // TF.js skips validation for an epoch that model.stopTraining cut short: its logs have no val_acc
    const stopInSecondEpoch = new tf.CustomCallback({
      onBatchEnd: async (batch) => {
        if (batch === 1 && history.length === 1) model.stopTraining = true;
      },
      onEpochEnd: async (epoch) => void history.push(epoch),
    });
    const history: number[] = [];
    const result = await assertNoTensorLeak(
      () => fitModel(model, data, { epochs: 5, batchSize: 16, validation: val, earlyStopping: { monitor: 'val_acc', patience: 2 }, callbacks: [stopInSecondEpoch] }),
      'a fit stopped mid-epoch',
    );
    assert.deepEqual(history, [0, 1], 'the second epoch ends early and training stops');
    assert.equal(result.epochs.length, 2);
    assert.equal(result.bestEpoch, 0, 'judged on the whole epoch only');
    assert.equal(result.epochs[1].valLoss, undefined);
    model.dispose();
  });

  it('a callback that throws leaves no epoch tensors behind', async () => {
    const model = compileClassifier(mlp(4), { optimizer: 'adam' });
    await model.trainOnBatch(data.x, tf.cast(data.y, 'float32')); // optimiser state
    const failing = new tf.CustomCallback({ onEpochEnd: async () => { throw new Error('callback failed'); } });
    const before = tf.memory().numTensors;
    await assert.rejects(fitModel(model, data, { epochs: 2, batchSize: 16, validation: val, callbacks: [failing] }), /callback failed/);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('calls extra callbacks (objects, plain handlers, a mix) and works with none', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'adam' });
    const seen: string[] = [];
    let batches = 0;
    await fitModel(model, data, {
      epochs: 2,
      batchSize: 32,
      callbacks: [
        new tf.CustomCallback({ onEpochEnd: async (epoch, logs) => void seen.push(`object ${epoch} ${typeof logs?.loss}`) }),
        { onBatchEnd: async () => void batches++ },
      ],
    });
    assert.deepEqual(seen, ['object 0 number', 'object 1 number']);
    assert.equal(batches, 4);
    await fitModel(model, data, { epochs: 1, callbacks: { onTrainEnd: async () => void seen.push('plain') } });
    assert.equal(seen[seen.length - 1], 'plain');
    model.dispose();
  });

  it('trains from a tf.data dataset and from several inputs', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'adam', learningRate: 0.05 });
    const dataset = tf.data
      .zip({ xs: tf.data.array(data.x.arraySync() as number[][]), ys: tf.data.array(Array.from(data.y.dataSync())) })
      .batch(16);
    const h = await fitModel(model, dataset, { epochs: 2, validation: val });
    assert.equal(h.epochs[1].examples, 64);
    assert.ok(h.epochs[1].valLoss !== undefined);
    model.dispose();

    // Int32 class ids in a dataset (as the data module's tensorDataset yields them), for a one-unit output.
    const binary = compileClassifier(mlp(3, 1), { optimizer: 'adam', learningRate: 0.05 });
    const intIds = () =>
      tf.data.generator(function* () {
        for (let start = 0; start < 64; start += 16) {
          yield tf.tidy(() => ({ xs: tf.slice(data.x, start, 16), ys: tf.slice(data.y, start, 16) }));
        }
      });
    await fitModel(binary, intIds(), { epochs: 1, validation: intIds() }); // optimiser state
    const hb = await assertNoTensorLeak(() => fitModel(binary, intIds(), { epochs: 2, validation: intIds() }), 'fitModel on a dataset');
    assert.ok(hb.epochs[1].loss < hb.epochs[0].loss && hb.epochs[1].valLoss !== undefined);
    binary.dispose();

    const a = tf.input({ shape: [2] });
    const b = tf.input({ shape: [2] });
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(joined) as tf.SymbolicTensor;
    const pair = compileClassifier(tf.model({ inputs: [a, b], outputs: out }), { optimizer: 'adam', learningRate: 0.05 });
    const reversed = tf.reverse(data.x, 0);
    const hp = await fitModel(pair, { x: [data.x, reversed], y: data.y }, { epochs: 3, batchSize: 16 });
    assert.ok(hp.epochs[2].loss < hp.epochs[0].loss);
    reversed.dispose();
    pair.dispose();
  });

  it('a learning-rate schedule sets the rate each epoch and the history records it', async () => {
    const model = compileClassifier(mlp(), { optimizer: 'momentum', learningRate: 0.1 });
    const schedule = stepDecaySchedule({ initial: 0.1, factor: 0.5, every: 1 });
    const h = await fitModel(model, data, { epochs: 3, callbacks: learningRateScheduler(schedule) });
    assert.deepEqual(h.epochs.map((e) => e.learningRate), [0.1, 0.05, 0.025]);
    model.dispose();
  });

  it('explains wrong label formats and missing compile', async () => {
    const model = mlp();
    await assert.rejects(fitModel(model, data, { epochs: 1 }), /compile mlp first/);
    compileClassifier(model, { labels: 'onehot' });
    await assert.rejects(fitModel(model, data, { epochs: 1 }), /class ids\?.*labels: 'sparse'/);
    compileClassifier(model);
    const oneHot = tf.oneHot(data.y, 2);
    await assert.rejects(fitModel(model, { x: data.x, y: oneHot }, { epochs: 1 }), /one-hot\?.*labels: 'onehot'/);
    await assert.rejects(fitModel(model, data, { epochs: 1, earlyStopping: { monitor: 'val_acc' } }), /needs validation data/);
    oneHot.dispose();
    model.dispose();
  });
});

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCourseKernels } from '../../lib/src/kernels';
import { mobileNetDir, trainableParams } from '../../scripts/bench/lesson-models';
import { buildReferenceModel, loadReferenceModel, ReferenceModelName } from '../../scripts/bench/models';
import { syntheticData } from '../../scripts/bench/synthetic';
import { findTorchPython, torchParams } from '../../scripts/bench/torch';
import { epochRunner } from '../../scripts/bench/training-loops';

/** Trainable parameters of the bench's TF.js models; the PyTorch twins (torch_models.py) must have the same. */
const PARAMS: Partial<Record<ReferenceModelName, number>> = {
  mlp: 203_530,
  cnn: 56_714,
  lstm: 353_089,
  'cifar-cnn': 288_746, // buildCifarCnn() defaults, as lesson 02 trains it
  'siamese-bilstm': 1_117_377,
  transformer: 701_377, // notebook 05's MRPC model
};
const MOBILENET_PARAMS = 71_434; // block 13 (depthwise + pointwise + their batch norms) and a 10-class head

describe("perf: the bench's models and their PyTorch twins", function () {
  this.timeout(120_000);
  before(async () => {
    registerCourseKernels();
    assert.ok(await tf.setBackend('cpu'));
  });

  it('the TF.js models have the trainable parameter counts the twins are built to', () => {
    for (const [name, expected] of Object.entries(PARAMS)) {
      const { model } = buildReferenceModel(name as ReferenceModelName, 'course');
      assert.equal(trainableParams(model), expected, name);
      model.dispose();
    }
  });

  it('MobileNet fine-tuning trains block 13 and the head only, and disposing it frees every tensor', async function () {
    if (!fs.existsSync(path.join(mobileNetDir(), 'model.json'))) this.skip();
    const before = tf.memory().numTensors;
    const { model } = await loadReferenceModel('mobilenet');
    assert.equal(trainableParams(model), MOBILENET_PARAMS);
    assert.deepEqual([...new Set(model.trainableWeights.map((w) => w.originalName.split('/')[0]))].slice(0, 2), ['conv_dw_13', 'conv_dw_13_bn']);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('the PyTorch twins have the same trainable parameter counts (where a python can import torch)', function () {
    const python = findTorchPython();
    if (python === undefined) this.skip();
    const theirs = torchParams(python, [...Object.keys(PARAMS), 'mobilenet']);
    assert.deepEqual(Object.fromEntries(theirs), { ...PARAMS, mobilenet: MOBILENET_PARAMS });
  });

  it('an epoch longer than the synthetic set goes through the set again (the MobileNet set is 4 batches)', async () => {
    const reference = buildReferenceModel('mlp');
    let batches = 0;
    const counted = { ...reference, loss: (y: tf.Tensor, p: tf.Tensor) => (batches++, reference.loss(y, p)) };
    const data = syntheticData('mlp', 64, 5);
    const runner = epochRunner(counted, data, 'custom', 32);
    await runner.epoch(160);
    assert.equal(batches, 5);
    runner.dispose();
    reference.model.dispose();
    tf.dispose([data.xs, data.ys]);
  });
});

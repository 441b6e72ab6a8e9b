import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  MOBILENET_CUT_LAYER,
  buildMlp,
  buildTransferHead,
  buildTransferModel,
  fileSystemHandler,
  loadMobileNetFeatureExtractor,
  setTrainableFrom,
} from '../../lib/src/models';
import { assertClose, assertNoTensorLeak, seededTensor, trainBriefly, useCpuBackend } from './support';
import { dataDir } from '../../lib/src/config';
import { skipBecause } from '../skip-reasons';

describe('models: transfer learning helpers', () => {
  before(useCpuBackend);

  describe('fileSystemHandler', () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-models-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('saves a model to disk and loads it back identical', async () => {
      const model = buildMlp({ inputDim: 3, hidden: [4], outputs: 2, activation: 'relu', seed: 1 });
      const file = path.join(dir, 'mlp', 'model.json');
      await model.save(fileSystemHandler(file));
      assert.ok(fs.existsSync(path.join(dir, 'mlp', 'weights.bin')));
      const loaded = await tf.loadLayersModel(fileSystemHandler(file));
      const x = seededTensor([5, 3], 2);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      assertClose(b.dataSync(), a.dataSync(), 0, 'predictions');
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    });

    it('says which file is missing', async () => {
      await assert.rejects(tf.loadLayersModel(fileSystemHandler(path.join(dir, 'nope', 'model.json'))), /cannot read model .*nope/);
      const model = buildMlp({ inputDim: 2, hidden: [], outputs: 1, activation: 'relu', seed: 1 });
      const file = path.join(dir, 'broken', 'model.json');
      await model.save(fileSystemHandler(file));
      fs.rmSync(path.join(dir, 'broken', 'weights.bin'));
      await assert.rejects(tf.loadLayersModel(fileSystemHandler(file)), /cannot read weight shard .*weights\.bin/);
      model.dispose();
    });
  });

  describe('buildTransferHead and setTrainableFrom', () => {
    it('a head over 3-D feature maps pools, has the expected parameters, and trains', async () => {
      const withDropout = buildTransferHead({ inputShape: [7, 7, 8], hidden: [4], outputs: 3, dropout: 0.2, seed: 1 });
      assert.equal(withDropout.layers.filter((l) => l.getClassName() === 'SeededDropout').length, 2);
      withDropout.dispose();
      // Training without dropout: this test is about the head's loss curve.
      const head = buildTransferHead({ inputShape: [7, 7, 8], hidden: [4], outputs: 3, seed: 1 });
      assert.deepEqual(head.outputs[0].shape, [null, 3]);
      assert.equal(head.countParams(), 8 * 4 + 4 + (4 * 3 + 3));
      head.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
      const labels = [0, 1, 2, 0, 1, 2];
      // Class c lights up feature channel c, on top of noise.
      const x = tf.tidy(() => tf.add(tf.relu(seededTensor([6, 7, 7, 8], 3)), tf.reshape(tf.oneHot(labels, 8), [6, 1, 1, 8])));
      const y = tf.tensor1d(labels);
      const { first, last } = await trainBriefly(head, x, y, 30);
      assert.ok(last < first * 0.8, `loss ${first} -> ${last}`);
      tf.dispose([x, y]);
      head.dispose();
    });

    it('logistic regression on vectors: no hidden layer, one sigmoid unit', () => {
      const head = buildTransferHead({ inputShape: [2048], outputs: 1, seed: 1 });
      assert.equal(head.countParams(), 2049);
      head.dispose();
    });

    it('freezes layers before the named one, across extractor and nested head', () => {
      const extractor = buildMlp({ inputDim: 4, hidden: [5, 5, 5], outputs: 6, activation: 'relu', outputActivation: 'linear', seed: 1 });
      extractor.trainable = false;
      const head = buildTransferHead({ inputShape: [6], outputs: 2, seed: 2 });
      const model = buildTransferModel(extractor, head);
      assert.deepEqual(model.outputs[0].shape, [null, 2]);
      assert.equal(model.trainableWeights.length, 2, 'only the head trains while the extractor is frozen');
      const count = setTrainableFrom(model, 'hidden_3');
      assert.equal(count, 3, 'hidden_3, the extractor output and the head output (layers with weights)');
      assert.deepEqual(
        extractor.layers.map((l) => l.trainable),
        [false, false, true, true],
      );
      assert.equal(model.trainableWeights.length, 6);
      assert.throws(() => setTrainableFrom(model, 'no_such_layer'), /has no layer 'no_such_layer'/);
      model.dispose();
    });
  });

  it('loadMobileNetFeatureExtractor: a missing model says how to get it', async () => {
    const missing = path.join(os.tmpdir(), 'no-mobilenet-here');
    await assert.rejects(loadMobileNetFeatureExtractor(missing), /model\.json: missing\. Get it with `npm run datasets -- mobilenet`/);
  });

  describe('MobileNet v1 0.25 feature extractor (real model from the data folder)', function () {
    const dir = path.join(dataDir(), 'models', 'mobilenet_v1_0.25_224');
    before(function () {
      if (!fs.existsSync(path.join(dir, 'model.json'))) {
        skipBecause(this, `no MobileNet in ${dir}: \`npm run datasets -- mobilenet\` gets it (or set DATASETS_DIR)`);
      }
    });


    it(`loads, cuts at ${MOBILENET_CUT_LAYER} (7x7x256), is frozen, and runs`, async () => {
      const extractor = await loadMobileNetFeatureExtractor(dir);
      assert.deepEqual(extractor.inputs[0].shape, [null, 224, 224, 3]);
      assert.deepEqual(extractor.outputs[0].shape, [null, 7, 7, 256]);
      assert.equal(extractor.trainableWeights.length, 0);
      assert.equal(extractor.layers[extractor.layers.length - 1].name, MOBILENET_CUT_LAYER);
      const image = seededTensor([1, 224, 224, 3], 4); // in [-1, 1], as MobileNet expects
      const features = await assertNoTensorLeak(async () => {
        const f = extractor.predict(image) as tf.Tensor;
        const stats = tf.tidy(() => [tf.min(f).dataSync()[0], tf.max(f).dataSync()[0]]);
        f.dispose();
        return stats;
      }, 'feature extraction');
      assert.ok(features[0] >= 0 && features[1] > 0 && features[1] <= 6, `ReLU6 features, got [${features}]`);
      const frozenCount = setTrainableFrom(extractor, 'conv_dw_13');
      assert.equal(frozenCount, 4, 'conv_dw_13, conv_dw_13_bn, conv_pw_13, conv_pw_13_bn');
      image.dispose();
      extractor.dispose();
    });

    it('a cut at another layer gives its shape; a wrong name a clear error', async () => {
      const extractor = await loadMobileNetFeatureExtractor(dir, { cutAt: 'conv_pw_6_relu' });
      assert.deepEqual(extractor.outputs[0].shape, [null, 14, 14, 128]);
      extractor.dispose();
      await assert.rejects(loadMobileNetFeatureExtractor(dir, { cutAt: 'conv_pw_99' }), /no layer 'conv_pw_99'/);
    });
  });
});

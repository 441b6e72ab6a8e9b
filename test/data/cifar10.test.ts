import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Cifar10Set, DatasetFileError, loadCifar10, readCifarBatchFile } from '../../lib/src/data';
import { CIFAR_META, cifarRecords, removeDir, tempDir, writeCifarFixture } from './fixtures';

describe('data: CIFAR-10', () => {
  let dataDir: string;
  let dir: string;
  beforeEach(() => {
    dataDir = tempDir();
    dir = writeCifarFixture(dataDir);
  });
  afterEach(() => removeDir(dataDir));

  it('loads all records as uint8 with labels and class names', () => {
    const data = loadCifar10({ dataDir });
    assert.equal(data.train.size, 50);
    assert.equal(data.test.size, 10);
    assert.deepEqual(data.classNames, CIFAR_META.trim().split('\n'));
    assert.deepEqual(data.train.classCounts(), new Array(10).fill(5));
    assert.ok(data.train.pixels instanceof Uint8Array);
    // data_batch_1 record 0 has label 1 and red plane 0 (pixel 0 = 255), green 100, blue 200.
    assert.equal(data.train.labels[0], 1);
    assert.deepEqual(Array.from(data.train.image(0).subarray(0, 6)), [255, 100, 200, 0, 100, 200]);
  });

  it('subsets by class (renumbered), per class and by count', () => {
    const cats = loadCifar10({ dataDir, classes: ['dog', 'cat'], perClass: 3 });
    assert.deepEqual(cats.classNames, ['dog', 'cat']);
    assert.deepEqual(cats.train.classCounts(), [3, 3]);
    assert.deepEqual(cats.test.classCounts(), [1, 1]);
    assert.deepEqual(Array.from(cats.test.labels), [1, 0]); // test labels 3 (cat) then 5 (dog)
    const few = loadCifar10({ dataDir, trainLimit: 7, testLimit: 4 });
    assert.equal(few.train.size, 7);
    assert.equal(few.test.size, 4);
    assert.throws(() => loadCifar10({ dataDir, classes: ['unicorn'] }), /unknown class "unicorn"/);
  });

  it('holds out a seeded validation split from the training files', () => {
    const data = loadCifar10({ dataDir, validationSplit: 0.2, seed: 3 });
    assert.equal(data.train.size, 40);
    assert.equal(data.validation.size, 10);
    assert.deepEqual(data.validation.stats, data.train.stats);
    assert.deepEqual(data.test.stats, data.train.stats);
    // Every fixture record has a distinct green level (100 + index within its file, plus the file's labels):
    // identify records by (label, green) and check the two parts are disjoint and complete.
    const keys = (set: typeof data.train) => Array.from({ length: set.size }, (_, i) => `${set.labels[i]}/${set.pixels[i * 3072 + 1024]}`);
    const all = keys(loadCifar10({ dataDir }).train).sort();
    const parts = [...keys(data.train), ...keys(data.validation)].sort();
    assert.deepEqual(parts, all);
    const again = loadCifar10({ dataDir, validationSplit: 0.2, seed: 3 });
    assert.deepEqual(keys(again.validation), keys(data.validation));
    assert.notDeepEqual(keys(loadCifar10({ dataDir, validationSplit: 0.2, seed: 4 }).validation), keys(data.validation));
    assert.equal(loadCifar10({ dataDir }).validation.size, 0);
  });

  it('batches: NHWC float32, normalised, seeded shuffle covering the set', () => {
    const { train } = loadCifar10({ dataDir, normalization: 'unit' });
    const seen: number[] = [];
    let batches = 0;
    for (const { x, y } of train.batches(16, { seed: 5 })) {
      assert.deepEqual(x.shape.slice(1), [32, 32, 3]);
      assert.equal(x.dtype, 'float32');
      const values = x.dataSync();
      assert.ok(values.every((v) => v >= 0 && v <= 1));
      seen.push(...Array.from(y.dataSync()));
      tf.dispose([x, y]);
      batches++;
    }
    assert.equal(batches, 4);
    assert.deepEqual([...seen].sort(), Array.from(train.labels).sort());
    const first = train.batches(50, { shuffle: false }).next().value as { x: tf.Tensor; y: tf.Tensor };
    const v = first.x.dataSync();
    // image 0, pixel (0,0): R=255, G=100, B=200; pixel (0,1): R=0.
    assert.deepEqual(Array.from(v.subarray(0, 6)).map((p) => Math.round(p * 255)), [255, 100, 200, 0, 100, 200]);
  });

  it('standard normalisation uses the training statistics', () => {
    const { train, test } = loadCifar10({ dataDir });
    assert.deepEqual(test.stats, train.stats);
    const x = train.toTensors().x;
    const mean = tf.mean(x, [0, 1, 2]).dataSync();
    mean.forEach((m) => assert.ok(Math.abs(m) < 1e-3, `channel mean ${m}`));
    x.dispose();
  });

  it('augmentation flips and crops with zero padding, reproducibly', () => {
    // A single image whose red plane is its column index: a flip reverses it, a shift moves it.
    const pixels = new Uint8Array(3072);
    for (let p = 0; p < 1024; p++) pixels[p] = p % 32;
    const set = new Cifar10Set(pixels, Int32Array.from([0]), ['a'], { mean: [0, 0, 0], std: [1, 1, 1] }, 'unit');
    const rows = new Set<string>();
    const directions = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const { x, y } = set.batches(1, { augment: true, seed }).next().value as { x: tf.Tensor; y: tf.Tensor };
      const v = x.dataSync();
      const row = Array.from({ length: 32 }, (_, c) => Math.round(v[3 * (32 * 16 + c)] * 255));
      // The row is the ramp 0..31 shifted (zero padding at one end) and maybe reversed by the flip.
      const nonZero = row.filter((r) => r !== 0);
      const steps = new Set(nonZero.slice(1).map((r, k) => r - nonZero[k]));
      assert.equal(steps.size, 1, `row is not a shifted/flipped ramp: ${row}`);
      assert.ok(nonZero.length >= 27, `more than 4 columns of padding: ${row}`);
      directions.add([...steps][0]);
      rows.add(row.join(','));
      tf.dispose([x, y]);
    }
    assert.ok(rows.size > 5, 'augmentation should vary with the seed');
    assert.deepEqual([...directions].sort(), [-1, 1], 'some images flipped, some not');
    const a = set.batches(1, { augment: true, seed: 9 }).next().value as { x: tf.Tensor };
    const b = set.batches(1, { augment: true, seed: 9 }).next().value as { x: tf.Tensor };
    assert.deepEqual(Array.from(a.x.dataSync()), Array.from(b.x.dataSync()));
  });

  it('dataset() gives a tf.data dataset with a new order each epoch', async () => {
    const { train } = loadCifar10({ dataDir });
    const ds = train.dataset(10, { seed: 2 });
    const epoch = async () => {
      const labels: number[] = [];
      await ds.forEachAsync((b) => labels.push(...Array.from(b.ys.dataSync())));
      return labels;
    };
    const e1 = await epoch();
    const e2 = await epoch();
    assert.equal(e1.length, 50);
    assert.notDeepEqual(e1, e2);
  });

  it('rejects truncated files, bad labels and bad meta files, naming the file', () => {
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), cifarRecords([1, 2]).subarray(0, 5000));
    assert.throws(
      () => loadCifar10({ dataDir }),
      (e: unknown) => e instanceof DatasetFileError && e.file.endsWith('data_batch_3.bin') && /size 5,000 bytes is not a whole number of 3,073-byte CIFAR-10 records/.test(e.message),
    );
    const bad = cifarRecords([1, 2, 3]);
    bad[3073 * 2] = 42;
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), bad);
    assert.throws(() => readCifarBatchFile(path.join(dir, 'data_batch_3.bin')), /data_batch_3\.bin: record 2 has label byte 42, expected 0-9/);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'cat\ndog\n');
    assert.throws(() => loadCifar10({ dataDir }), /batches\.meta\.txt: expected 10 class names, one per line, found 2/);
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), cifarRecords([1, 2, 3]));
    fs.rmSync(path.join(dir, 'test_batch.bin'));
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR_META);
    assert.throws(() => loadCifar10({ dataDir }), /test_batch\.bin: missing\. Get it with `npm run datasets -- cifar10`/);
  });

  it('rejects a batch file cut at a record boundary: it holds fewer records than its siblings', () => {
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR_META);
    for (const b of [1, 2, 3, 4, 5]) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), cifarRecords(Array.from({ length: 10 }, (_, i) => i)));
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarRecords(Array.from({ length: 10 }, (_, i) => i)).subarray(0, 9 * 3073));
    assert.throws(
      () => loadCifar10({ dataDir, skipTrain: true }),
      (e: unknown) =>
        e instanceof DatasetFileError &&
        e.file.endsWith('test_batch.bin') &&
        /holds 9 records where the other CIFAR-10 batch files hold 10 \(an official batch holds 10,000\): the file was cut short\. Fetch it again with `npm run datasets -- cifar10`/.test(e.message),
    );
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarRecords(Array.from({ length: 10 }, (_, i) => i)));
    assert.equal(loadCifar10({ dataDir }).test.size, 10, 'whole files load');
  });
});

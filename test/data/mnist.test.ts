import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { DatasetFileError, encodeIdx, loadMnist, parseIdx, readIdxFile, tensorDataset } from '../../lib/src/data';
import { removeDir, tempDir, writeMnistFixture } from './fixtures';

describe('data: IDX parser and MNIST', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
    writeMnistFixture(dir);
  });
  afterEach(() => removeDir(dir));

  it('parses header, dims and big-endian data of every IDX type', () => {
    const u8 = parseIdx(encodeIdx('uint8', [2, 3], Uint8Array.from([1, 2, 3, 4, 5, 255])), 'x');
    assert.deepEqual(u8.shape, [2, 3]);
    assert.equal(u8.dtype, 'uint8');
    assert.deepEqual(Array.from(u8.data), [1, 2, 3, 4, 5, 255]);
    // int32 [2]: 0x00000C01, dim 2, values 258 and -1 big-endian
    const i32 = parseIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 1, 2, 255, 255, 255, 255]), 'y');
    assert.equal(i32.dtype, 'int32');
    assert.deepEqual(Array.from(i32.data), [258, -1]);
    const f32 = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]), 'z');
    assert.deepEqual(Array.from(f32.data), [1.5]);
  });

  it('names the file and the problem for bad magic, truncation, trailing bytes and wrong shape', () => {
    const good = encodeIdx('uint8', [3, 28, 28], new Uint8Array(3 * 784));
    assert.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'f.gz'), (e: unknown) => e instanceof DatasetFileError && /f\.gz: bad IDX magic number 0x1f8b0800/.test(e.message));
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0]), 'f'), /bad IDX magic number 0x00000701/);
    assert.throws(() => parseIdx(good.subarray(0, 10), 'short'), /short: truncated IDX header: 3 dimensions need 16 bytes, file has 10/);
    assert.throws(() => parseIdx(good.subarray(0, good.length - 1), 'cut'), /cut: IDX file truncated: header says uint8 \[3, 28, 28\] = 2,368 bytes, file has 2,367/);
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    assert.throws(() => parseIdx(longer, 'long'), /long: IDX file has trailing bytes/);
    assert.throws(() => parseIdx(good, 'lab', { shape: [undefined] }), /lab: expected IDX shape \[\*\], file holds \[3, 28, 28\]/);
    assert.throws(() => parseIdx(good, 'typ', { dtype: 'int32' }), /typ: expected IDX type int32, file holds uint8/);
    assert.throws(() => readIdxFile(path.join(dir, 'nope')), /nope: missing/);
  });

  it('loads fixture MNIST scaled to [0, 1] with a seeded validation split', () => {
    const data = loadMnist({ dir, validationSplit: 0.25, seed: 3 });
    assert.deepEqual(data.train.x.shape, [9, 28, 28, 1]);
    assert.deepEqual(data.validation.x.shape, [3, 28, 28, 1]);
    assert.deepEqual(data.test.x.shape, [5, 28, 28, 1]);
    assert.equal(data.train.y.dtype, 'int32');
    // Image i has pixels 10 * i / 255 and label i % 10: check every image's pairing survived the split.
    for (const split of [data.train, data.validation, data.test]) {
      const x = split.x.dataSync();
      const y = split.y.dataSync();
      for (let k = 0; k < y.length; k++) {
        const i = Math.round((x[k * 784 + 100] * 255) / 10);
        assert.equal(y[k], i % 10);
        assert.ok(x[k * 784] >= 0 && x[k * 784] <= 1);
      }
    }
    const ids = (s: { x: tf.Tensor }) => Array.from(s.x.dataSync().filter((_, p) => p % 784 === 0)).map((v) => Math.round(v * 25.5));
    const all = [...ids(data.train), ...ids(data.validation)].sort((a, b) => a - b);
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const again = loadMnist({ dir, validationSplit: 0.25, seed: 3 });
    assert.deepEqual(ids(again.validation), ids(data.validation));
    const other = loadMnist({ dir, validationSplit: 0.25, seed: 4 });
    assert.notDeepEqual(ids(other.validation), ids(data.validation));
    assert.equal(loadMnist({ dir, limit: 4, testLimit: 2, validationSplit: 0 }).train.y.shape[0], 4);
  });

  it('rejects mismatched counts and non-digit labels, naming the file', () => {
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [11], new Uint8Array(11)));
    assert.throws(() => loadMnist({ dir }), /train-labels-idx1-ubyte: holds 11 labels but train-images-idx3-ubyte holds 12 images/);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [12], new Uint8Array(12).fill(10)));
    assert.throws(() => loadMnist({ dir }), /train-labels-idx1-ubyte: label 10 at index 0 is not a digit/);
    fs.rmSync(path.join(dir, 't10k-images-idx3-ubyte'));
    assert.throws(() => loadMnist({ dir }), /t10k-images-idx3-ubyte: missing/);
  });

  it('tensorDataset yields seeded shuffled batches covering every example once per epoch', async () => {
    const data = loadMnist({ dir, validationSplit: 0 });
    const ds = tensorDataset(data.train, { batchSize: 5, seed: 1 });
    const epoch = async () => {
      const labels: number[] = [];
      await ds.forEachAsync((b) => {
        labels.push(...Array.from(b.ys.dataSync()));
        tf.dispose([b.xs, b.ys]);
      });
      return labels;
    };
    const first = await epoch();
    const second = await epoch();
    assert.equal(first.length, 12);
    assert.deepEqual([...first].sort(), [...Array.from(data.train.y.dataSync())].sort());
    assert.notDeepEqual(first, second, 'each epoch should have a new order');
    const replay = tensorDataset(data.train, { batchSize: 5, seed: 1 });
    const labels: number[] = [];
    await replay.forEachAsync((b) => labels.push(...Array.from(b.ys.dataSync())));
    assert.deepEqual(labels, first);
  });
});

/** A learner's own data: in-memory arrays and CSV/TSV text tables, down to a trained single-sentence classifier. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  DatasetFileError,
  buildVocabulary,
  classIds,
  datasetFromArrays,
  encodePairs,
  encodeTexts,
  loadTextTable,
  parseDelimited,
  parseTextTable,
  textTablePairs,
  textTableSentences,
} from '../../lib/src/data';
import { buildTextClassifier } from '../../lib/src/models';
import { compileClassifier, evaluateClassifier, fitModel } from '../../lib/src/train';

describe('data: your own data', () => {
  it('class ids: ids stay, names and other numbers are numbered in sorted order', () => {
    assert.deepEqual(classIds([2, 0, 1]), { ids: Int32Array.from([2, 0, 1]), classNames: ['0', '1', '2'] });
    assert.deepEqual(classIds(['pos', 'neg', 'pos']), { ids: Int32Array.from([1, 0, 1]), classNames: ['neg', 'pos'] });
    assert.deepEqual(classIds([-1, 1, 1]), { ids: Int32Array.from([0, 1, 1]), classNames: ['-1', '1'] });
    assert.deepEqual(classIds(['10', '9']).classNames, ['9', '10']);
  });

  it('datasetFromArrays: images as nested arrays or flat values, labels by name, a seeded split', () => {
    const images = Array.from({ length: 10 }, (_, i) => [[i, 255], [0, 255]]);
    const labels = images.map((_, i) => (i % 2 ? 'shirt' : 'boot'));
    const a = datasetFromArrays(images, labels, { validationSplit: 0.2, seed: 3, scale: 1 / 255 });
    const b = datasetFromArrays({ values: images.flat(2), shape: [10, 2, 2] }, labels, { validationSplit: 0.2, seed: 3, scale: 1 / 255 });
    assert.deepEqual(a.classNames, ['boot', 'shirt']);
    assert.deepEqual(a.train.x.shape, [8, 2, 2]);
    assert.deepEqual(a.validation.x.shape, [2, 2, 2]);
    assert.equal(a.train.y.dtype, 'int32');
    assert.deepEqual(Array.from(a.validation.y.dataSync()), Array.from(b.validation.y.dataSync()));
    assert.deepEqual(Array.from(a.train.x.dataSync()), Array.from(b.train.x.dataSync()));
    assert.ok(Math.abs(a.train.x.max().dataSync()[0] - 1) < 1e-6, 'scaled to [0, 1]');
    // every example keeps its own label
    const first = Array.from(a.train.x.dataSync().slice(0, 4)).map((v) => Math.round(v * 255));
    assert.equal(a.classNames[a.train.y.dataSync()[0]!], first[0]! % 2 ? 'shirt' : 'boot');
    tf.dispose([a.train.x, a.train.y, a.validation.x, a.validation.y, b.train.x, b.train.y, b.validation.x, b.validation.y]);
    assert.throws(() => datasetFromArrays([[1], [2]], [0]), /2 examples but 1 labels; give one label per example/);
  });

  it('reads CSV with quotes, doubled quotes and line breaks in a field, and TSV pairs', () => {
    assert.deepEqual(parseDelimited('a,b\n"x, ""y""\nz",1\r\n', ','), [['a', 'b'], ['x, "y"\nz', '1']]);
    const sentiment = parseTextTable('text,label\n"great, truly",positive\nawful,negative\n', 'reviews.csv');
    assert.deepEqual(sentiment.textColumns, ['text']);
    assert.deepEqual(textTableSentences(sentiment), ['great, truly', 'awful']);
    assert.deepEqual(Array.from(sentiment.labels), [1, 0]);
    assert.deepEqual(sentiment.classNames, ['negative', 'positive']);
    const pairs = parseTextTable('question1\tquestion2\tis_duplicate\nHow old?\tWhat age?\t1\nWhy?\tWhen?\t0\n', 'pairs.tsv');
    assert.deepEqual(textTablePairs(pairs), [
      { sentence1: 'How old?', sentence2: 'What age?', label: 1 },
      { sentence1: 'Why?', sentence2: 'When?', label: 0 },
    ]);
    const vocab = buildVocabulary(textTablePairs(pairs).flatMap((p) => [p.sentence1, p.sentence2]));
    const encoded = encodePairs(textTablePairs(pairs), vocab, { maxLen: 4 });
    assert.deepEqual(encoded.ids1.shape, [2, 4]);
    tf.dispose(Object.values(encoded).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  });

  it('says what is wrong with a table, naming the file', () => {
    assert.throws(() => parseTextTable('a,b,c,label\nx,y,z,1\n', 'three.csv'), /three\.csv: has 3 text columns \(a, b, c\); name the one or two to use with textColumns/);
    assert.throws(() => parseTextTable('text,label\nx,1\n', 'f.csv', { labelColumn: 'y' }), /f\.csv: has no column 'y'; its columns are text, label/);
    assert.throws(() => parseTextTable('text,label\nx, y,1\n', 'f.csv'), /f\.csv: row 2 has 3 fields, the header 2/);
    assert.throws(() => loadTextTable(path.join(os.tmpdir(), 'no-such-table.csv')), (e: unknown) => e instanceof DatasetFileError && /no such file/.test(e.message));
  });

  it('a CSV of sentences trains the single-sentence classifier above chance', async function () {
    this.timeout(600_000); // a few seconds on a quiet machine
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-text-'));
    const good = ['good', 'great', 'fine', 'lovely'];
    const bad = ['bad', 'awful', 'poor', 'dull'];
    const lines = ['text,label'];
    for (let i = 0; i < 32; i++) {
      const positive = i % 2 === 0;
      const words = positive ? good : bad;
      lines.push(`"the film was ${words[i % 4]}, ${words[(i + 1) % 4]}",${positive ? 'pos' : 'neg'}`);
    }
    const file = path.join(dir, 'reviews.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const table = loadTextTable(file);
    const vocab = buildVocabulary(textTableSentences(table));
    const { ids } = encodeTexts(textTableSentences(table), vocab, { maxLen: 6 });
    const y = tf.tensor1d(table.labels, 'int32');
    const model = compileClassifier(
      buildTextClassifier({ vocabSize: vocab.size, embeddingDim: 8, units: 8, classes: 2, hidden: [8], dropout: 0.1, seed: 5 }),
      { optimizer: 'adam', learningRate: 0.02 },
    );
    assert.deepEqual(model.outputs[0]!.shape, [null, 1], 'two classes: one sigmoid unit');
    await fitModel(model, { x: ids, y }, { epochs: 12, batchSize: 8, seed: 1 });
    const { accuracy } = await evaluateClassifier(model, ids, y);
    assert.ok(accuracy >= 0.9, `accuracy ${accuracy}`);
    const three = buildTextClassifier({ vocabSize: 10, embeddingDim: 4, units: 4, classes: 3, seed: 1 });
    assert.deepEqual(three.outputs[0]!.shape, [null, 3]);
    assert.throws(() => buildTextClassifier({ vocabSize: 10, embeddingDim: 4, units: 4, classes: 1 }), /at least 2 classes/);
    tf.dispose([ids, y]);
    model.dispose();
    three.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

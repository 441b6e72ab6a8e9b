import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildVocabulary, DatasetFileError, embeddingMatrix, encodePairs, encodePairsJoined, loadGlove, OOV_ID, PAD_ID, tokenize } from '../../lib/src/data';
import { gloveText, removeDir, tempDir } from './fixtures';

describe('data: tokenizer, vocabulary, GloVe', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('tokenizes like GloVe: lowercase, punctuation tokens, contractions split, numbers kept', () => {
    assert.deepEqual(tokenize("He doesn't like Dominick's \"new\" $2.5-billion deal, 1,000 times!"), [
      'he', 'does', "n't", 'like', 'dominick', "'s", '"', 'new', '"', '$', '2.5-billion', 'deal', ',', '1,000', 'times', '!',
    ]);
    assert.deepEqual(tokenize('Well-known U.S. rock’n’roll', { lowercase: false }), ['Well-known', 'U.S.', "rock'n'roll"]);
    assert.deepEqual(tokenize('Hi , there .', { keepPunctuation: false }), ['hi', 'there']);
    assert.deepEqual(tokenize('Mr. Smith of Acme Inc. met Dr. Who in Dec. 2003 .'), ['mr.', 'smith', 'of', 'acme', 'inc.', 'met', 'dr.', 'who', 'in', 'dec.', '2003', '.']);
  });

  it('builds a vocabulary with PAD=0, OOV=1, min frequency, max size and deterministic order', () => {
    const vocab = buildVocabulary(['the cat sat', 'the dog sat', 'the end'], { minFreq: 2 });
    assert.deepEqual(vocab.tokens, ['<pad>', '<unk>', 'the', 'sat']);
    assert.equal(vocab.idOf('dog'), OOV_ID);
    assert.deepEqual(vocab.encode('The CAT sat'), [2, OOV_ID, 3]);
    assert.equal(vocab.decode([2, 3, PAD_ID, PAD_ID]), 'the sat');
    const capped = buildVocabulary(['b a c', 'a c', 'a'], { maxSize: 4, specials: ['<sep>'] });
    assert.deepEqual(capped.tokens, ['<pad>', '<unk>', '<sep>', 'a']);
    assert.deepEqual(buildVocabulary(['y x', 'x y']).tokens, ['<pad>', '<unk>', 'x', 'y']); // ties alphabetical
  });

  it('encodes pairs into padded, truncated int32 tensors with masks and labels', () => {
    const vocab = buildVocabulary(['a b c d e f']);
    const pairs = [
      { sentence1: 'a b', sentence2: 'c d e f a', label: 1 },
      { sentence1: 'f zzz', sentence2: 'e', label: 0 },
    ];
    const enc = encodePairs(pairs, vocab, { maxLen: 4 });
    assert.equal(enc.ids1.dtype, 'int32');
    assert.deepEqual(enc.ids1.arraySync(), [[2, 3, 0, 0], [7, 1, 0, 0]]);
    assert.deepEqual(enc.ids2.arraySync(), [[4, 5, 6, 7], [6, 0, 0, 0]]);
    assert.deepEqual(enc.mask1.arraySync(), [[1, 1, 0, 0], [1, 1, 0, 0]]);
    assert.deepEqual(Array.from(enc.labels.dataSync()), [1, 0]);
    assert.deepEqual(Array.from(enc.lengths2), [5, 1]);
    assert.equal(enc.truncated, 1);
    assert.throws(() => encodePairs(pairs, vocab, { maxLen: 0 }), /maxLen must be a positive integer/);
  });

  it('joins pairs into one sequence with <cls>/<sep>, segments and balanced truncation', () => {
    const vocab = buildVocabulary(['a b c d e f'], { specials: ['<cls>', '<sep>'] });
    const [cls, sep] = [vocab.idOf('<cls>'), vocab.idOf('<sep>')];
    const [a, b, c, e, f] = ['a', 'b', 'c', 'e', 'f'].map((t) => vocab.idOf(t));
    const joined = encodePairsJoined(
      [
        { sentence1: 'a b', sentence2: 'c', label: 1 },
        { sentence1: 'a b c d e', sentence2: 'f e', label: 0 },
      ],
      vocab,
      { maxLen: 8 },
    );
    assert.deepEqual(joined.ids.arraySync(), [
      [cls, a, b, sep, c, sep, 0, 0],
      [cls, a, b, c, sep, f, e, sep],
    ]);
    assert.deepEqual(joined.segments.arraySync(), [
      [0, 0, 0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, 1, 1, 1],
    ]);
    assert.deepEqual(joined.mask.arraySync()[0], [1, 1, 1, 1, 1, 1, 0, 0]);
    assert.equal(joined.truncated, 1);
    assert.throws(() => encodePairsJoined([], buildVocabulary(['a']), { maxLen: 8 }), /no '<sep>' token/);
  });

  it('streams GloVe text, restricts to a vocabulary, and builds an embedding matrix with coverage', async () => {
    const file = path.join(dir, 'vectors.txt');
    fs.writeFileSync(file, gloveText(['the', ',', 'cat', 'sat', 'mat'], 6));
    const all = await loadGlove({ path: file, dim: 6 });
    assert.equal(all.size, 5);
    assert.deepEqual(Array.from(all.get('cat') as Float32Array), [2, 2.5, -2, 2, 2.5, -2]);
    const vocab = buildVocabulary(['the cat sat on the mat', 'the dog']);
    const restricted = await loadGlove({ path: file, dim: 6, vocabulary: vocab.tokens });
    assert.deepEqual(restricted.words, ['the', 'cat', 'sat', 'mat']);
    const { matrix, coverage } = embeddingMatrix(vocab, restricted, { seed: 1 });
    assert.deepEqual(matrix.shape, [vocab.size, 6]);
    const rows = matrix.arraySync();
    assert.deepEqual(rows[PAD_ID], [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(rows[vocab.idOf('mat')], [4, 4.5, -4, 4, 4.5, -4]);
    assert.ok(rows[vocab.idOf('dog')].some((v) => v !== 0), 'a word without a vector gets a random row');
    // Types: the cat sat on mat dog = 6, found 4; tokens: 8, found the(3) cat sat mat = 6.
    assert.equal(coverage.types, 6);
    assert.equal(coverage.typesFound, 4);
    assert.equal(coverage.tokenCoverage, 6 / 8);
    assert.deepEqual(coverage.missingExamples.sort(), ['dog', 'on']);
    tf.dispose(matrix);
    const first2 = await loadGlove({ path: file, dim: 6, maxWords: 2 });
    assert.deepEqual(first2.words, ['the', ',']);
    assert.equal(all.nearest(all.get('sat') as Float32Array, 1)[0].word, 'sat');
  });

  it('rejects a wrong dimension, bad numbers and missing files, naming file and line', async () => {
    const file = path.join(dir, 'g.txt');
    fs.writeFileSync(file, gloveText(['a', 'b'], 4));
    await assert.rejects(loadGlove({ path: file, dim: 3 }), (e: unknown) => e instanceof DatasetFileError && /g\.txt: line 1: expected a word and 3 numbers \(dimension 3\), found 4 fields/.test(e.message));
    await assert.rejects(loadGlove({ path: file, dim: 5 }), /g\.txt: line 1: expected a word and 5 numbers/);
    fs.writeFileSync(file, 'a 1 2 3\nb 1 x 3\n');
    await assert.rejects(loadGlove({ path: file, dim: 3 }), /g\.txt: line 2: "x" is not a number/);
    await assert.rejects(loadGlove({ dataDir: dir, dim: 50 }), /glove\.6B\.50d\.txt: missing \(no glove\.6B\.50d\*\.txt/);
    fs.mkdirSync(path.join(dir, 'glove'));
    fs.writeFileSync(path.join(dir, 'glove', 'glove.6B.4d.top2.txt'), gloveText(['x', 'y'], 4));
    assert.equal((await loadGlove({ dataDir: dir, dim: 4 })).size, 2);
  });
});

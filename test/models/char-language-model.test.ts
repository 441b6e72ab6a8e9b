import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { END_OF_SENTENCE_ID, UNKNOWN_CHAR_ID, buildCharVocabulary, charWindows, unigramBitsPerCharacter } from '../../lib/src/data';
import { Rng } from '../../lib/src/engine';
import { bitsPerCharacter, buildCharLanguageModel, drawWithTemperature, sampleCharacters } from '../../lib/src/models';
import { compileClassifier, labelsForModel } from '../../lib/src/train';
import { assertClose, assertNoTensorLeak, saveAndReload, useCpuBackend } from './support';

describe('character-level language model', () => {
  before(useCpuBackend);

  it('the vocabulary orders characters by frequency and reserves ids for unknown and end of sentence', () => {
    const vocab = buildCharVocabulary(['abba', 'cab'], { minCount: 2 });
    assert.deepEqual(vocab.chars, ['a', 'b']);
    assert.equal(vocab.size, 4);
    assert.deepEqual(vocab.encode('abc'), [2, 3, UNKNOWN_CHAR_ID]);
    assert.deepEqual(Array.from(vocab.encodeSentences(['ab', 'b'])), [2, 3, END_OF_SENTENCE_ID, 3, END_OF_SENTENCE_ID]);
    assert.equal(vocab.decode([2, 3, END_OF_SENTENCE_ID]), 'ab\n');
  });

  it('windows pair each input with the next characters', () => {
    const { x, y } = charWindows([1, 2, 3, 4, 5, 6, 7], 3, 2);
    assert.deepEqual(x.arraySync(), [[1, 2, 3], [3, 4, 5]]);
    assert.deepEqual(y.arraySync(), [[2, 3, 4], [4, 5, 6]]);
    assert.throws(() => charWindows([1, 2, 3], 3), /no window of 3 \+ 1/);
    tf.dispose([x, y]);
  });

  it('the unigram baseline: add-one frequencies, in bits', () => {
    // train counts a:3, b:1 over 2 ids -> p(a) = 4/6, p(b) = 2/6
    const bits = unigramBitsPerCharacter([0, 0, 0, 1], [0, 1], 2);
    assertClose([bits], [(-Math.log2(4 / 6) - Math.log2(2 / 6)) / 2], 1e-12, 'bits');
  });

  it('an untrained model costs about log2(V) bits per character; training on a pattern lowers it well below', async () => {
    const vocab = buildCharVocabulary(['abcd']);
    const stream = vocab.encodeSentences(Array.from({ length: 30 }, () => 'abcd'));
    const { x, y } = charWindows(stream, 10, 5);
    const model = buildCharLanguageModel({ vocabSize: vocab.size, embeddingDim: 8, units: 16, seed: 2 });
    const before = await bitsPerCharacter(model, x, y);
    assert.ok(Math.abs(before - Math.log2(vocab.size)) < 0.3, `untrained: ${before} bits vs log2(${vocab.size})`);
    compileClassifier(model, { optimizer: 'adam', learningRate: 0.05 });
    const targets = labelsForModel(model, y);
    for (let i = 0; i < 40; i++) await model.trainOnBatch(x, targets);
    targets.dispose();
    const after = await assertNoTensorLeak(() => bitsPerCharacter(model, x, y), 'bitsPerCharacter');
    assert.ok(after < 0.3, `trained on a deterministic pattern: ${after} bits per character`);
    // a trained model continues the pattern at a low temperature
    const sample = vocab.decode(await assertNoTensorLeak(() => sampleCharacters(model, vocab.encode('ab'), { length: 8, temperature: 0.2, seed: 3 }), 'sampleCharacters'));
    assert.equal(sample, 'cd\nabcd\n');
    const reloaded = await saveAndReload(model);
    assertClose([await bitsPerCharacter(reloaded, x, y)], [after], 1e-5, 'bits after save/load');
    tf.dispose([x, y]);
  });

  it('temperature: low sharpens towards the most likely character, high flattens towards uniform', async () => {
    const probs = [0.6, 0.3, 0.1];
    const share = (temperature: number) => {
      const rng = new Rng(7);
      const counts = [0, 0, 0];
      for (let i = 0; i < 4000; i++) counts[drawWithTemperature(probs, temperature, rng)]++;
      return counts.map((c) => c / 4000);
    };
    assert.ok(share(0.1)[0] > 0.99, 'T = 0.1 almost always picks the top character');
    assertClose(share(1), probs, 0.03, 'T = 1 samples the model');
    assert.ok(share(100)[2] > 0.3, 'T = 100 is nearly uniform');
    await assert.rejects(sampleCharacters({} as tf.LayersModel, [1], { length: 1, temperature: 0 }), /temperature must be positive/);
  });
});

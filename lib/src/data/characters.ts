/**
 * Text as a stream of characters, for lesson 03's character-level language model: a character vocabulary, sentences
 * joined into one id stream with an end-of-sentence mark, fixed-length training windows (input: characters t..t+L-1,
 * target: t+1..t+L), and the unigram baseline every language model must beat.
 */
import * as tf from '@tensorflow/tfjs';

/** Id of characters the vocabulary does not know. */
export const UNKNOWN_CHAR_ID = 0;
/** Id of the end-of-sentence mark that separates sentences in the stream (shown as a newline). */
export const END_OF_SENTENCE_ID = 1;
const END_OF_SENTENCE = '\n';

export class CharVocabulary {
  private readonly ids: Map<string, number>;

  /** `chars`: the known characters, in id order from 2 (0 is unknown, 1 is the end of a sentence). */
  constructor(readonly chars: readonly string[]) {
    this.ids = new Map(chars.map((c, i) => [c, i + 2]));
    if (this.ids.size !== chars.length) throw new Error('CharVocabulary: characters repeat');
    if (this.ids.has(END_OF_SENTENCE)) throw new Error('CharVocabulary: the newline is reserved for the end of a sentence');
  }

  /** Number of ids, the unknown and end-of-sentence ids included. */
  get size(): number {
    return this.chars.length + 2;
  }

  id(char: string): number {
    return char === END_OF_SENTENCE ? END_OF_SENTENCE_ID : (this.ids.get(char) ?? UNKNOWN_CHAR_ID);
  }

  char(id: number): string {
    if (id === END_OF_SENTENCE_ID) return END_OF_SENTENCE;
    if (id === UNKNOWN_CHAR_ID) return '\u00bf';
    const char = this.chars[id - 2];
    if (char === undefined) throw new Error(`CharVocabulary: no character has id ${id}`);
    return char;
  }

  /** The ids of `text`'s characters (code points, so an emoji is one character). */
  encode(text: string): number[] {
    return Array.from(text, (c) => this.id(c));
  }

  decode(ids: Iterable<number>): string {
    return Array.from(ids, (id) => this.char(id)).join('');
  }

  /** Sentences as one stream: each sentence's characters followed by the end-of-sentence id. */
  encodeSentences(sentences: readonly string[]): Int32Array {
    return Int32Array.from(sentences.flatMap((s) => [...this.encode(s), END_OF_SENTENCE_ID]));
  }
}

/** The characters that occur at least `minCount` times (default 1) in `texts`, most frequent first. */
export function buildCharVocabulary(texts: Iterable<string>, options: { minCount?: number } = {}): CharVocabulary {
  const minCount = options.minCount ?? 1;
  const counts = new Map<string, number>();
  for (const text of texts) for (const c of text) if (c !== END_OF_SENTENCE) counts.set(c, (counts.get(c) ?? 0) + 1);
  const chars = [...counts].filter(([, n]) => n >= minCount).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([c]) => c);
  return new CharVocabulary(chars);
}

/**
 * Training windows over an id stream: `x[i]` = ids `[s, s + length)` and `y[i]` = ids `[s + 1, s + length + 1)`
 * for `s = 0, stride, 2 * stride, ...` (the target is the input shifted by one character).
 */
export function charWindows(stream: ArrayLike<number>, length: number, stride = length): { x: tf.Tensor2D; y: tf.Tensor2D } {
  if (!Number.isInteger(length) || length < 1) throw new Error(`charWindows: length must be a positive integer, got ${length}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`charWindows: stride must be a positive integer, got ${stride}`);
  const count = Math.floor((stream.length - length - 1) / stride) + 1;
  if (stream.length < length + 1) throw new Error(`charWindows: a stream of ${stream.length} characters has no window of ${length} + 1`);
  const x = new Int32Array(count * length);
  const y = new Int32Array(count * length);
  for (let w = 0; w < count; w++) {
    for (let t = 0; t < length; t++) {
      x[w * length + t] = stream[w * stride + t];
      y[w * length + t] = stream[w * stride + t + 1];
    }
  }
  return { x: tf.tensor2d(x, [count, length], 'int32'), y: tf.tensor2d(y, [count, length], 'int32') };
}

/**
 * Bits per character of the unigram model fitted on `train` (each id's frequency, add-one smoothed over
 * `vocabSize` ids) on `heldOut`: the cost of predicting characters without looking at any context.
 */
export function unigramBitsPerCharacter(train: ArrayLike<number>, heldOut: ArrayLike<number>, vocabSize: number): number {
  if (heldOut.length === 0) throw new Error('unigramBitsPerCharacter: no held-out characters');
  const counts = new Float64Array(vocabSize).fill(1);
  for (let i = 0; i < train.length; i++) counts[train[i]] += 1;
  const total = train.length + vocabSize;
  let bits = 0;
  for (let i = 0; i < heldOut.length; i++) bits -= Math.log2(counts[heldOut[i]] / total);
  return bits / heldOut.length;
}

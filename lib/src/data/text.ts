/**
 * Text to ids: a word tokenizer close to GloVe's (lowercase, punctuation as tokens, "n't" and "'s" split off),
 * a vocabulary with PAD = 0 and OOV = 1, padded id tensors for sentence pairs, and GloVe embedding matrices.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import type { GloveVectors } from './glove';
import { courseSeed } from '../config';

export interface TokenizeOptions {
  /** Default true (GloVe 6B is uncased). */
  lowercase?: boolean;
  /** Keep punctuation marks as tokens (default true); false drops them. */
  keepPunctuation?: boolean;
}

const CONTRACTION = /(\p{L})(n't|'s|'re|'ve|'ll|'d|'m)(?=\s|$|[^\p{L}\p{N}])/giu;
// Titles, company suffixes and months keep their period, as in GloVe's vocabulary ("mr.", "inc.", "corp.").
const ABBREVIATIONS = 'mr|mrs|ms|dr|prof|st|jr|sr|inc|corp|co|ltd|gov|sen|rep|gen|lt|col|sgt|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
// A split-off contraction, an abbreviation ("u.s.", "mr."), a word (letters/digits joined by inner ' . , - as in
// "o'neil", "3.5", "1,000", "well-known"), or one punctuation mark.
const TOKEN = new RegExp(
  `n't|'(?:s|re|ve|ll|d|m)(?![\\p{L}\\p{N}])|(?:\\p{L}\\.){2,}|(?<![\\p{L}\\p{N}])(?:${ABBREVIATIONS})\\.(?![\\p{L}\\p{N}])|` +
    `[\\p{L}\\p{N}]+(?:[-.,'][\\p{L}\\p{N}]+)*|[^\\s\\p{L}\\p{N}]`,
  'giu',
);

/** Split a sentence into word and punctuation tokens. */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  let s = text.normalize('NFC').replace(/[\u2018\u2019]/g, "'");
  if (options.lowercase ?? true) s = s.toLowerCase();
  s = s.replace(CONTRACTION, '$1 $2');
  const tokens = s.match(TOKEN) ?? [];
  return options.keepPunctuation ?? true ? tokens : tokens.filter((t) => /[\p{L}\p{N}]/u.test(t));
}

export const PAD_TOKEN = '<pad>';
export const OOV_TOKEN = '<unk>';
export const PAD_ID = 0;
export const OOV_ID = 1;

/** Token <-> id map. Id 0 is padding, id 1 is out-of-vocabulary, then any extra special tokens, then words. */
export class Vocabulary {
  readonly tokens: string[];
  /** How often each token occurred in the texts the vocabulary was built from (0 for specials). */
  readonly counts: number[];
  private readonly ids: Map<string, number>;
  readonly tokenizeOptions: TokenizeOptions;

  constructor(tokens: string[], counts?: number[], tokenizeOptions: TokenizeOptions = {}) {
    if (tokens[PAD_ID] !== PAD_TOKEN || tokens[OOV_ID] !== OOV_TOKEN) {
      throw new Error(`Vocabulary: the first tokens must be '${PAD_TOKEN}' and '${OOV_TOKEN}'`);
    }
    this.tokens = tokens;
    this.counts = counts ?? tokens.map(() => 0);
    this.ids = new Map(tokens.map((t, i) => [t, i]));
    if (this.ids.size !== tokens.length) throw new Error('Vocabulary: duplicate tokens');
    this.tokenizeOptions = tokenizeOptions;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, or {@link OOV_ID}. */
  idOf(token: string): number {
    return this.ids.get(token) ?? OOV_ID;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  tokenOf(id: number): string {
    return this.tokens[id] ?? OOV_TOKEN;
  }

  /** Tokenize a text (with the vocabulary's options) and map it to ids. */
  encode(text: string): number[] {
    return tokenize(text, this.tokenizeOptions).map((t) => this.idOf(t));
  }

  /** Ids back to text, without padding. */
  decode(ids: ArrayLike<number>): string {
    return Array.from(ids)
      .filter((id) => id !== PAD_ID)
      .map((id) => this.tokenOf(id))
      .join(' ');
  }
}

export interface VocabularyOptions extends TokenizeOptions {
  /** Keep words seen at least this often (default 1). */
  minFreq?: number;
  /** At most this many entries in total, specials included (the most frequent words win). */
  maxSize?: number;
  /** Extra reserved tokens after PAD and OOV, e.g. `['<cls>', '<sep>']` for a Transformer. */
  specials?: string[];
}

/** Build a vocabulary from texts: words sorted by frequency (ties alphabetically, so it is deterministic). */
export function buildVocabulary(texts: Iterable<string>, options: VocabularyOptions = {}): Vocabulary {
  const minFreq = options.minFreq ?? 1;
  const specials = [PAD_TOKEN, OOV_TOKEN, ...(options.specials ?? [])];
  if (options.maxSize !== undefined && options.maxSize < specials.length) {
    throw new Error(`buildVocabulary: maxSize ${options.maxSize} is smaller than the ${specials.length} special tokens`);
  }
  const counts = new Map<string, number>();
  for (const text of texts) for (const t of tokenize(text, options)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const words = [...counts.entries()]
    .filter(([t, c]) => c >= minFreq && !specials.includes(t))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const room = (options.maxSize ?? Infinity) - specials.length;
  const kept = words.slice(0, Math.max(0, room));
  return new Vocabulary(
    [...specials, ...kept.map(([t]) => t)],
    [...specials.map(() => 0), ...kept.map(([, c]) => c)],
    { lowercase: options.lowercase, keepPunctuation: options.keepPunctuation },
  );
}

export interface EncodeOptions {
  /** Sequence length: longer texts are truncated (at the end), shorter ones padded with PAD (at the end). */
  maxLen: number;
}

/** Token ids as a `[n, maxLen]` int32 tensor, plus the true lengths (before truncation) and how many were cut. */
export function encodeTexts(texts: string[], vocab: Vocabulary, options: EncodeOptions): { ids: tf.Tensor2D; lengths: Int32Array; truncated: number } {
  const { maxLen } = options;
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new Error(`maxLen must be a positive integer, got ${maxLen}`);
  const ids = new Int32Array(texts.length * maxLen); // zeros are PAD
  const lengths = new Int32Array(texts.length);
  let truncated = 0;
  texts.forEach((text, i) => {
    const encoded = vocab.encode(text);
    lengths[i] = encoded.length;
    if (encoded.length > maxLen) truncated++;
    ids.set(encoded.slice(0, maxLen), i * maxLen);
  });
  return { ids: tf.tensor2d(ids, [texts.length, maxLen], 'int32'), lengths, truncated };
}

/** A sentence pair with a label (an {@link MrpcPair} fits). */
export interface LabelledPair {
  sentence1: string;
  sentence2: string;
  label: number;
}

/** Encoded pairs: padded ids, float masks (1 for tokens, 0 for padding), labels, and truncation counts. */
export interface EncodedPairs {
  ids1: tf.Tensor2D;
  ids2: tf.Tensor2D;
  mask1: tf.Tensor2D;
  mask2: tf.Tensor2D;
  labels: tf.Tensor1D;
  lengths1: Int32Array;
  lengths2: Int32Array;
  /** Sentences longer than `maxLen` (cut at the end). */
  truncated: number;
}

/** Turn sentence pairs into padded id tensors `[n, maxLen]` (PAD = 0, OOV = 1) with masks and int32 labels. */
export function encodePairs(pairs: LabelledPair[], vocab: Vocabulary, options: EncodeOptions): EncodedPairs {
  const first = encodeTexts(pairs.map((p) => p.sentence1), vocab, options);
  const second = encodeTexts(pairs.map((p) => p.sentence2), vocab, options);
  return {
    ids1: first.ids,
    ids2: second.ids,
    mask1: tf.tidy(() => tf.cast(tf.notEqual(first.ids, PAD_ID), 'float32') as tf.Tensor2D),
    mask2: tf.tidy(() => tf.cast(tf.notEqual(second.ids, PAD_ID), 'float32') as tf.Tensor2D),
    labels: tf.tensor1d(Int32Array.from(pairs, (p) => p.label), 'int32'),
    lengths1: first.lengths,
    lengths2: second.lengths,
    truncated: first.truncated + second.truncated,
  };
}

export const CLS_TOKEN = '<cls>';
export const SEP_TOKEN = '<sep>';

/** Pairs joined into one sequence for a single-input model such as a Transformer classifier. */
export interface JoinedPairs {
  /** `[n, maxLen]` int32: `<cls>`? sentence1 `<sep>` sentence2 `<sep>`, then PAD. */
  ids: tf.Tensor2D;
  /** `[n, maxLen]` int32: 0 for `<cls>`, sentence 1 and its `<sep>`, 1 for sentence 2 and its `<sep>`, 0 for padding. */
  segments: tf.Tensor2D;
  /** `[n, maxLen]` float32: 1 for tokens, 0 for padding. */
  mask: tf.Tensor2D;
  labels: tf.Tensor1D;
  /** Pairs that had to be cut to fit `maxLen`. */
  truncated: number;
}

/**
 * Join each pair into one padded id sequence: `<cls>` (if the vocabulary has it), sentence 1, `<sep>`, sentence 2,
 * `<sep>`. When too long, tokens are removed from the end of the longer sentence first, so both keep their starts.
 * The vocabulary needs `<sep>`: build it with `buildVocabulary(texts, { specials: ['<cls>', '<sep>'] })`.
 */
export function encodePairsJoined(pairs: LabelledPair[], vocab: Vocabulary, options: EncodeOptions): JoinedPairs {
  const { maxLen } = options;
  if (!vocab.has(SEP_TOKEN)) {
    throw new Error(`encodePairsJoined: the vocabulary has no '${SEP_TOKEN}' token; build it with specials: ['${CLS_TOKEN}', '${SEP_TOKEN}']`);
  }
  const sep = vocab.idOf(SEP_TOKEN);
  const cls = vocab.has(CLS_TOKEN) ? [vocab.idOf(CLS_TOKEN)] : [];
  const room = maxLen - cls.length - 2;
  if (!Number.isInteger(maxLen) || room < 2) throw new Error(`encodePairsJoined: maxLen ${maxLen} leaves no room for two sentences`);
  const ids = new Int32Array(pairs.length * maxLen);
  const segments = new Int32Array(pairs.length * maxLen);
  let truncated = 0;
  pairs.forEach((pair, i) => {
    const a = vocab.encode(pair.sentence1);
    const b = vocab.encode(pair.sentence2);
    if (a.length + b.length > room) truncated++;
    while (a.length + b.length > room) (a.length >= b.length ? a : b).pop();
    const first = [...cls, ...a, sep];
    ids.set([...first, ...b, sep], i * maxLen);
    segments.fill(1, i * maxLen + first.length, i * maxLen + first.length + b.length + 1);
  });
  const idTensor = tf.tensor2d(ids, [pairs.length, maxLen], 'int32');
  return {
    ids: idTensor,
    segments: tf.tensor2d(segments, [pairs.length, maxLen], 'int32'),
    mask: tf.tidy(() => tf.cast(tf.notEqual(idTensor, PAD_ID), 'float32') as tf.Tensor2D),
    labels: tf.tensor1d(Int32Array.from(pairs, (p) => p.label), 'int32'),
    truncated,
  };
}

/** How much of a vocabulary has pre-trained vectors. */
export interface EmbeddingCoverage {
  /** Word types (specials excluded) found in the vectors / all word types. */
  typesFound: number;
  types: number;
  typeCoverage: number;
  /** The same weighted by the vocabulary's counts: the share of running tokens that get a pre-trained vector. */
  tokenCoverage: number;
  /** Up to 20 of the most frequent words without a vector. */
  missingExamples: string[];
}

export interface EmbeddingMatrixOptions {
  /** Rows for words without a vector (and OOV): `'random'` normal with std `scale` (default), or `'zeros'`. */
  missing?: 'random' | 'zeros';
  scale?: number;
  /** Seed of the random rows. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
}

/** A `[vocab.size, dim]` float32 matrix whose row `i` is the GloVe vector of token `i` (PAD row is zeros). */
export function embeddingMatrix(vocab: Vocabulary, glove: GloveVectors, options: EmbeddingMatrixOptions = {}): { matrix: tf.Tensor2D; coverage: EmbeddingCoverage } {
  const dim = glove.dim;
  const rng = new Rng(options.seed ?? courseSeed());
  const scale = options.scale ?? 0.1;
  const values = new Float32Array(vocab.size * dim);
  let typesFound = 0;
  let types = 0;
  let tokensFound = 0;
  let tokens = 0;
  const missingExamples: string[] = [];
  vocab.tokens.forEach((token, id) => {
    if (id === PAD_ID) return;
    const vector = id === OOV_ID ? undefined : glove.get(token);
    if (vector) values.set(vector, id * dim);
    else if (options.missing !== 'zeros') for (let d = 0; d < dim; d++) values[id * dim + d] = rng.normal(0, scale);
    if (id === OOV_ID || vocab.counts[id] === 0) return; // specials are not words
    types++;
    tokens += vocab.counts[id];
    if (vector) {
      typesFound++;
      tokensFound += vocab.counts[id];
    } else if (missingExamples.length < 20) missingExamples.push(token);
  });
  return {
    matrix: tf.tensor2d(values, [vocab.size, dim]),
    coverage: {
      typesFound,
      types,
      typeCoverage: types === 0 ? 0 : typesFound / types,
      tokenCoverage: tokens === 0 ? 0 : tokensFound / tokens,
      missingExamples,
    },
  };
}

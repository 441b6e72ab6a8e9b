/**
 * Surface features of a sentence pair (word, n-gram and character overlap, common subsequence, shared numbers,
 * negation, length difference): cheap signals
 * that paraphrase detection has long used beside learned sentence representations.
 */

/** Names of the values {@link lexicalPairFeatures} returns, in order. */
export const LEXICAL_PAIR_FEATURE_NAMES = [
  'word_jaccard',
  'word_overlap_min',
  'word_overlap_max',
  'bigram_jaccard',
  'same_numbers',
  'length_difference',
  'bigram_overlap_min',
  'bigram_overlap_max',
  'trigram_jaccard',
  'character_trigram_jaccard',
  'common_subsequence_min',
  'common_subsequence_max',
  'negation_mismatch',
] as const;

/** Lower-cased words and numbers of a sentence (punctuation dropped). */
export function lexicalTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:[.,'][\p{L}\p{N}]+)*/gu) ?? [];
}

/**
 * Thirteen numbers in [0, 1] for a pair (in the order of {@link LEXICAL_PAIR_FEATURE_NAMES}): Jaccard similarity of
 * the word sets; the smaller and the larger of the two fractions of one sentence's words found in the other; Jaccard
 * similarity of the word-bigram sets; 1 when both sentences hold the same set of numbers (none counts);
 * |length1 - length2| / the longer length in words; the smaller and larger bigram coverage; word-trigram and
 * character-trigram Jaccard similarity; the longest common word subsequence over the shorter and over the longer
 * length; 1 when exactly one sentence has a negation (not, n't, no, never).
 */
export function lexicalPairFeatures(sentence1: string, sentence2: string): number[] {
  const a = lexicalTokens(sentence1);
  const b = lexicalTokens(sentence2);
  const wordsA = new Set(a);
  const wordsB = new Set(b);
  const shared = countShared(wordsA, wordsB);
  const coveredA = wordsA.size === 0 ? 0 : shared / wordsA.size;
  const coveredB = wordsB.size === 0 ? 0 : shared / wordsB.size;
  const numbersA = new Set(a.filter(isNumber));
  const numbersB = new Set(b.filter(isNumber));
  const sameNumbers = numbersA.size === numbersB.size && countShared(numbersA, numbersB) === numbersA.size ? 1 : 0;
  const longer = Math.max(a.length, b.length);
  const shorter = Math.min(a.length, b.length);
  const bigramsA = bigrams(a);
  const bigramsB = bigrams(b);
  const sharedBigrams = countShared(bigramsA, bigramsB);
  const bigramCover = [bigramsA.size === 0 ? 0 : sharedBigrams / bigramsA.size, bigramsB.size === 0 ? 0 : sharedBigrams / bigramsB.size];
  const lcs = commonSubsequenceLength(a, b);
  const negated = (tokens: string[]) => tokens.some((t) => NEGATIONS.has(t) || t.endsWith("n't"));
  return [
    jaccard(wordsA, wordsB),
    Math.min(coveredA, coveredB),
    Math.max(coveredA, coveredB),
    jaccard(bigrams(a), bigrams(b)),
    sameNumbers,
    longer === 0 ? 0 : Math.abs(a.length - b.length) / longer,
    Math.min(...bigramCover),
    Math.max(...bigramCover),
    jaccard(ngrams(a, 3), ngrams(b, 3)),
    jaccard(characterTrigrams(sentence1), characterTrigrams(sentence2)),
    shorter === 0 ? 0 : lcs / shorter,
    longer === 0 ? 0 : lcs / longer,
    negated(a) !== negated(b) ? 1 : 0,
  ];
}

const NEGATIONS = new Set(['not', 'no', 'never', 'nor', 'none', 'nothing', 'neither']);

function ngrams(tokens: string[], n: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) out.add(tokens.slice(i, i + n).join(' '));
  return out;
}

function characterTrigrams(text: string): Set<string> {
  const letters = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const out = new Set<string>();
  for (let i = 0; i + 3 <= letters.length; i++) out.add(letters.slice(i, i + 3));
  return out;
}

/** Length of the longest common subsequence of two word lists (dynamic programming, one row at a time). */
function commonSubsequenceLength(a: string[], b: string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const word of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = word === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
    previous = row;
  }
  return previous[b.length];
}

function isNumber(token: string): boolean {
  return /^\p{N}/u.test(token);
}

function bigrams(tokens: string[]): Set<string> {
  return ngrams(tokens, 2);
}

function countShared(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  const union = a.size + b.size - countShared(a, b);
  return union === 0 ? 0 : countShared(a, b) / union;
}

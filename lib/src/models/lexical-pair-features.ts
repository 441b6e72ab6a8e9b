/**
 * Surface features of a sentence pair (word and bigram overlap, shared numbers, length difference): cheap signals
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
] as const;

/** Lower-cased words and numbers of a sentence (punctuation dropped). */
export function lexicalTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:[.,'][\p{L}\p{N}]+)*/gu) ?? [];
}

/**
 * Six numbers in [0, 1] for a pair: Jaccard similarity of the word sets; the smaller and the larger of the two
 * fractions of one sentence's words found in the other; Jaccard similarity of the word-bigram sets; 1 when both
 * sentences hold the same set of numbers (none counts); |length1 - length2| / the longer length in words.
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
  return [
    jaccard(wordsA, wordsB),
    Math.min(coveredA, coveredB),
    Math.max(coveredA, coveredB),
    jaccard(bigrams(a), bigrams(b)),
    sameNumbers,
    longer === 0 ? 0 : Math.abs(a.length - b.length) / longer,
  ];
}

function isNumber(token: string): boolean {
  return /^\p{N}/u.test(token);
}

function bigrams(tokens: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) out.add(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
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

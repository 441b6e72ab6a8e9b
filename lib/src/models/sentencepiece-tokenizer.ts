/**
 * A SentencePiece *unigram* tokenizer, enough to feed the Universal Sentence Encoder: the text is NFKC-normalised,
 * spaces become '▁' (with one in front), and the Viterbi algorithm picks the split into vocabulary pieces with the
 * highest total log-probability. Characters no piece covers become the unknown id (runs of them merge into one).
 */

/** The vocabulary as shipped with the model: `[piece, logProbability]`, the index being the id. */
export type PieceVocabulary = ReadonlyArray<readonly [string, number]>;

const WORD_START = '\u2581';
/** Score of an unknown character: well below any real piece, so it is used only when nothing else fits. */
const UNKNOWN_PENALTY = 10;

export class SentencePieceTokenizer {
  private readonly pieces = new Map<string, { id: number; score: number }>();
  private readonly maxPieceLength: number;
  private readonly unknownScore: number;

  /**
   * @param vocabulary pieces with their scores; pieces scored exactly 0 are control symbols (`<s>`, padding, ...)
   *   and are never produced from text.
   * @param unknownId the id of unknown characters (default 0).
   */
  constructor(
    vocabulary: PieceVocabulary,
    readonly unknownId = 0,
  ) {
    if (vocabulary.length === 0) throw new Error('the SentencePiece vocabulary is empty');
    let longest = 1;
    let lowest = 0;
    vocabulary.forEach(([piece, score], id) => {
      if (score === 0 || this.pieces.has(piece)) return;
      this.pieces.set(piece, { id, score });
      longest = Math.max(longest, [...piece].length);
      lowest = Math.min(lowest, score);
    });
    this.maxPieceLength = longest;
    this.unknownScore = lowest - UNKNOWN_PENALTY;
  }

  /** The normalised form the pieces are matched against. */
  normalize(text: string): string {
    const normal = text.normalize('NFKC').trim().replace(/\s+/g, ' ');
    return normal.length === 0 ? '' : WORD_START + normal.replace(/ /g, WORD_START);
  }

  /** Token ids of `text` (empty for blank text). */
  encode(text: string): number[] {
    return this.segment(text).map((s) => s.id);
  }

  /** The chosen pieces with their ids, for teaching and debugging. */
  segment(text: string): { piece: string; id: number }[] {
    const chars = [...this.normalize(text)]; // code points, so surrogate pairs stay whole
    const n = chars.length;
    // best[i]: highest score of a split of chars[0..i); from[i]: where its last piece starts, and which piece.
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1);
    const pieceId = new Int32Array(n + 1);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      if (best[start] === -Infinity) continue;
      let piece = '';
      for (let end = start + 1; end <= Math.min(n, start + this.maxPieceLength); end++) {
        piece += chars[end - 1];
        const entry = this.pieces.get(piece);
        const single = end === start + 1;
        if (entry === undefined && !single) continue;
        const score = best[start] + (entry ? entry.score : this.unknownScore);
        if (score > best[end]) {
          best[end] = score;
          from[end] = start;
          pieceId[end] = entry ? entry.id : this.unknownId;
        }
      }
    }
    const out: { piece: string; id: number }[] = [];
    for (let end = n; end > 0; end = from[end]) out.push({ piece: chars.slice(from[end], end).join(''), id: pieceId[end] });
    out.reverse();
    // Merge runs of unknown characters into one unknown token.
    return out.reduce<{ piece: string; id: number }[]>((merged, token) => {
      const last = merged[merged.length - 1];
      if (last && last.id === this.unknownId && token.id === this.unknownId) last.piece += token.piece;
      else merged.push({ ...token });
      return merged;
    }, []);
  }
}

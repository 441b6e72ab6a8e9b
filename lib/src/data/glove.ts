/**
 * GloVe word vectors in the original text format ("word v1 v2 ... vD" per line), parsed as a stream so that the
 * full 400k-word files never sit in memory as text, optionally keeping only the words of a vocabulary.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { DatasetFileError } from './errors';
import { dataDir } from '../config';

export const GLOVE_DIRECTORY = 'glove';

/** Word vectors: row `i` of `vectors` (length `words.length * dim`) belongs to `words[i]`. */
export class GloveVectors {
  readonly dim: number;
  readonly words: string[];
  readonly vectors: Float32Array;
  readonly file: string;
  private readonly index: Map<string, number>;

  constructor(file: string, dim: number, words: string[], vectors: Float32Array) {
    this.file = file;
    this.dim = dim;
    this.words = words;
    this.vectors = vectors;
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The vector of `word` (a view into `vectors`), or undefined. */
  get(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    return i === undefined ? undefined : this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** The `k` words closest to `vector` by cosine similarity (e.g. for king - man + woman). */
  nearest(vector: ArrayLike<number>, k = 5, exclude: string[] = []): { word: string; cosine: number }[] {
    const norm = (v: ArrayLike<number>, off: number) => {
      let s = 0;
      for (let d = 0; d < this.dim; d++) s += v[off + d] * v[off + d];
      return Math.sqrt(s) || 1;
    };
    const qn = norm(vector, 0);
    const scored: { word: string; cosine: number }[] = [];
    for (let i = 0; i < this.words.length; i++) {
      if (exclude.includes(this.words[i])) continue;
      let dot = 0;
      for (let d = 0; d < this.dim; d++) dot += vector[d] * this.vectors[i * this.dim + d];
      scored.push({ word: this.words[i], cosine: dot / (qn * norm(this.vectors, i * this.dim)) });
    }
    return scored.sort((a, b) => b.cosine - a.cosine).slice(0, k);
  }
}

export interface GloveOptions {
  /** The vectors file. Default: `<dataDir>/glove/glove.6B.<dim>d.txt`, else the `glove.6B.<dim>d.*.txt` subset there. */
  path?: string;
  dataDir?: string;
  /** Expected dimension; every line must have exactly this many numbers. */
  dim: number;
  /** Keep only these words (e.g. a {@link Vocabulary}'s tokens); others are skipped while streaming. */
  vocabulary?: Iterable<string>;
  /** Stop after this many lines (GloVe lists words by frequency, so this keeps the most frequent). */
  maxWords?: number;
}

/** The GloVe file used for `dim` in `dir`: the full official file if present, else a `glove.6B.<dim>d.*.txt` subset. */
export function findGloveFile(dir: string, dim: number): string {
  const full = path.join(dir, `glove.6B.${dim}d.txt`);
  if (fs.existsSync(full)) return full;
  const subsets = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.startsWith(`glove.6B.${dim}d.`) && f.endsWith('.txt')).sort()
    : [];
  if (subsets.length > 0) return path.join(dir, subsets[subsets.length - 1]);
  throw new DatasetFileError(
    full,
    `missing (no glove.6B.${dim}d*.txt in ${dir}). Get it with \`npm run datasets -- glove --from <folder>\`, ` +
      'or download glove.6B.zip from the GloVe page (https://nlp.stanford.edu/projects/glove/) and pass its path as `path`.',
  );
}

/** Stream a GloVe text file into {@link GloveVectors}, checking the dimension and every number. */
export async function loadGlove(options: GloveOptions): Promise<GloveVectors> {
  const dim = options.dim;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`loadGlove: dim must be a positive integer, got ${dim}`);
  const file = options.path ?? findGloveFile(path.join(dataDir(options.dataDir), GLOVE_DIRECTORY), dim);
  if (!fs.existsSync(file)) throw new DatasetFileError(file, 'missing (expected a GloVe text file)');
  const keep = options.vocabulary ? new Set(options.vocabulary) : undefined;
  const words: string[] = [];
  const seen = new Set<string>();
  let vectors = new Float32Array(dim * 1024);
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      if (options.maxWords !== undefined && lineNo > options.maxWords) break;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      const fields = line.trimEnd().split(' ');
      // A line with more fields is only accepted as a word containing spaces, never as a longer vector.
      if (fields.length < dim + 1 || (fields.length > dim + 1 && fields[1] !== '' && Number.isFinite(Number(fields[1])))) {
        throw new DatasetFileError(
          file,
          `line ${lineNo}: expected a word and ${dim} numbers (dimension ${dim}), found ${fields.length - 1} fields after the word`,
        );
      }
      // Some GloVe releases have words containing spaces: the word is everything before the last `dim` fields.
      const word = fields.slice(0, fields.length - dim).join(' ');
      if (keep && !keep.has(word)) continue;
      if (seen.has(word)) continue; // first occurrence wins, as in the official readers
      if (words.length * dim === vectors.length) {
        const grown = new Float32Array(vectors.length * 2);
        grown.set(vectors);
        vectors = grown;
      }
      const base = words.length * dim;
      for (let d = 0; d < dim; d++) {
        const text = fields[fields.length - dim + d];
        const value = Number(text);
        if (text === '' || !Number.isFinite(value)) {
          throw new DatasetFileError(file, `line ${lineNo}: "${text}" is not a number (expected ${dim} numbers after the word)`);
        }
        vectors[base + d] = value;
      }
      seen.add(word);
      words.push(word);
    }
  } finally {
    lines.close();
  }
  if (words.length === 0 && !keep) throw new DatasetFileError(file, `no vectors found (expected lines of a word and ${dim} numbers)`);
  return new GloveVectors(file, dim, words, vectors.slice(0, words.length * dim));
}

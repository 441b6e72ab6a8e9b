/**
 * The Microsoft Research Paraphrase Corpus, from the original `msr_paraphrase_{train,test}.txt` or GLUE's TSV files.
 * The files are UTF-8 with a BOM, CRLF (original) or LF (GLUE), and their strings contain `"`: lines are split on
 * TAB only and quotes mean nothing. Licence: non-commercial research and teaching use only (MSR-SSLA).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetFileError } from './errors';
import { requireDatasetFile } from './paths';
import { splitIndices } from './batching';
import { courseSeed, dataDir } from '../config';

/** One sentence pair; `label` is 1 for a paraphrase, 0 otherwise. */
export interface MrpcPair {
  id1: string;
  id2: string;
  sentence1: string;
  sentence2: string;
  label: 0 | 1;
}

export const MRPC_DIRECTORY = 'mrpc';
export const MRPC_FILES = {
  train: 'msr_paraphrase_train.txt',
  test: 'msr_paraphrase_test.txt',
  glueTrain: 'glue/train.tsv',
  glueDev: 'glue/dev.tsv',
} as const;
const MRPC_HEADER = ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'];

/** Printed by `loadMrpc`, and repeated in the manifest and docs. */
export const MRPC_LICENCE_NOTE =
  'MRPC (Microsoft Research Paraphrase Corpus) is licensed under the Microsoft Research Shared Source License: ' +
  'non-commercial use only (research and teaching); no commercial use.';

/** Parse the text of an MRPC file (original or GLUE layout). `file` names the file in errors. */
export function parseMrpc(text: string, file: string): MrpcPair[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new DatasetFileError(file, 'empty; expected the MRPC header line and sentence pairs');
  const header = lines[0].split('\t');
  if (header.length !== MRPC_HEADER.length || header.some((h, i) => h.trim() !== MRPC_HEADER[i])) {
    throw new DatasetFileError(
      file,
      `line 1: expected the MRPC header "${MRPC_HEADER.join('<TAB>')}", found "${lines[0].slice(0, 80).replace(/\t/g, '<TAB>')}"`,
    );
  }
  const pairs: MrpcPair[] = [];
  for (let i = 1; i < lines.length; i++) {
    const where = `line ${i + 1}`;
    const cols = lines[i].split('\t');
    if (cols.length !== 5) {
      throw new DatasetFileError(file, `${where}: expected 5 TAB-separated columns (Quality, #1 ID, #2 ID, #1 String, #2 String), found ${cols.length}`);
    }
    const [quality, id1, id2, sentence1, sentence2] = cols;
    if (quality !== '0' && quality !== '1') throw new DatasetFileError(file, `${where}: Quality must be 0 or 1, found "${quality}"`);
    if (!/^\d+$/.test(id1) || !/^\d+$/.test(id2)) throw new DatasetFileError(file, `${where}: sentence ids must be numbers, found "${id1}", "${id2}"`);
    if (sentence1 === '' || sentence2 === '') throw new DatasetFileError(file, `${where}: empty sentence`);
    pairs.push({ id1, id2, sentence1, sentence2, label: quality === '1' ? 1 : 0 });
  }
  return pairs;
}

/** Read and parse one MRPC file. */
export function readMrpcFile(file: string): MrpcPair[] {
  return parseMrpc(fs.readFileSync(file, 'utf8'), file);
}

export interface MrpcOptions {
  /** Data folder holding the MRPC folder (default {@link dataDir}). */
  dataDir?: string;
  /**
   * `'original'` (default): train and validation from `msr_paraphrase_train.txt` split with `seed`/`validationSplit`;
   * `'glue'`: GLUE's fixed train/dev split (`glue/train.tsv`, `glue/dev.tsv`). Test is `msr_paraphrase_test.txt` for both.
   */
  format?: 'original' | 'glue';
  /** Fraction of the training pairs held out for validation (original format only). Default 0.1. */
  validationSplit?: number;
  /** Seed of the train/validation split. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
  /** Do not print the licence note (it is still returned). */
  quiet?: boolean;
}

export interface MrpcData {
  train: MrpcPair[];
  validation: MrpcPair[];
  test: MrpcPair[];
  licence: string;
}

/** Load MRPC train/validation/test pairs and print the licence note. */
export function loadMrpc(options: MrpcOptions = {}): MrpcData {
  const dir = path.join(dataDir(options.dataDir), MRPC_DIRECTORY);
  const read = (name: string) => readMrpcFile(requireDatasetFile(path.join(dir, name), 'mrpc'));
  const format = options.format ?? 'original';
  let train: MrpcPair[];
  let validation: MrpcPair[];
  if (format === 'glue') {
    if (options.validationSplit !== undefined) throw new Error("loadMrpc: validationSplit does not apply to format 'glue' (GLUE's dev split is fixed)");
    train = read(MRPC_FILES.glueTrain);
    validation = read(MRPC_FILES.glueDev);
  } else if (format === 'original') {
    const all = read(MRPC_FILES.train);
    const split = splitIndices(all.length, options.validationSplit ?? 0.1, options.seed ?? courseSeed());
    train = Array.from(split.train, (i) => all[i]);
    validation = Array.from(split.validation, (i) => all[i]);
  } else {
    throw new Error(`loadMrpc: format must be 'original' or 'glue', got ${JSON.stringify(format)}`);
  }
  const test = read(MRPC_FILES.test);
  if (!options.quiet) console.log(MRPC_LICENCE_NOTE);
  return { train, validation, test, licence: MRPC_LICENCE_NOTE };
}

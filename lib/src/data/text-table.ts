/**
 * A learner's own text data as a plain CSV or TSV file with a header row: one text column (sentence
 * classification) or two (sentence pairs, as MRPC), and a label column. Quoted fields may hold the delimiter,
 * doubled quotes and line breaks (RFC 4180).
 */
import * as fs from 'node:fs';
import { DatasetFileError } from './errors';
import { classIds } from './class-labels';
import { LabelledPair } from './text';

export interface TextTableOptions {
  /** Field separator; default: a tab for `.tsv`/`.tab`/`.txt` files, else a comma. */
  delimiter?: ',' | '\t' | ';';
  /** The column(s) holding the text: one, or two for pairs (default: every column but the label). */
  textColumns?: string[];
  /** The column holding the label (default: `label` when there is one, else the last column). */
  labelColumn?: string;
}

export interface TextTable {
  /** The text columns' names, in order. */
  textColumns: string[];
  /** The texts per example: one string per text column. */
  texts: string[][];
  /** Class ids, and the class names they stand for (see `classIds`). */
  labels: Int32Array;
  classNames: string[];
}

/** Split CSV/TSV text into rows of fields (quotes as in RFC 4180). */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

/** Parse a table's text; `file` names it in errors. */
export function parseTextTable(text: string, file: string, options: TextTableOptions = {}): TextTable {
  const delimiter = options.delimiter ?? (/\.(tsv|tab|txt)$/i.test(file) ? '\t' : ',');
  const [header, ...rows] = parseDelimited(text.replace(/^\uFEFF/, ''), delimiter);
  if (!header || rows.length === 0) throw new DatasetFileError(file, 'needs a header row and at least one example');
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DatasetFileError(file, `has no column '${name}'; its columns are ${header.join(', ')}`);
    return i;
  };
  const labelIndex = options.labelColumn !== undefined ? column(options.labelColumn) : header.includes('label') ? column('label') : header.length - 1;
  const textIndices = options.textColumns?.map(column) ?? header.map((_, i) => i).filter((i) => i !== labelIndex);
  if (textIndices.length < 1 || textIndices.length > 2) {
    throw new DatasetFileError(
      file,
      `has ${textIndices.length} text columns (${textIndices.map((i) => header[i]).join(', ')}); name the one or two to use with textColumns`,
    );
  }
  rows.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new DatasetFileError(file, `row ${k + 2} has ${r.length} fields, the header ${header.length} (a '${delimiter === '\t' ? '\\t' : delimiter}' inside an unquoted text?)`);
    }
  });
  const { ids, classNames } = classIds(rows.map((r) => r[labelIndex]!.trim()));
  return { textColumns: textIndices.map((i) => header[i]!), texts: rows.map((r) => textIndices.map((i) => r[i]!)), labels: ids, classNames };
}

/** Read a CSV/TSV file of text(s) and labels (see the module comment). */
export function loadTextTable(file: string, options: TextTableOptions = {}): TextTable {
  if (!fs.existsSync(file)) throw new DatasetFileError(file, 'no such file');
  return parseTextTable(fs.readFileSync(file, 'utf8'), file, options);
}

/** The examples of a two-text-column table as sentence pairs, ready for `encodePairs`. */
export function textTablePairs(table: TextTable): LabelledPair[] {
  if (table.textColumns.length !== 2) throw new Error(`textTablePairs needs two text columns, the table has ${table.textColumns.length}`);
  return table.texts.map(([sentence1, sentence2], i) => ({ sentence1: sentence1!, sentence2: sentence2!, label: table.labels[i]! }));
}

/** The texts of a one-text-column table, ready for `encodeTexts`. */
export function textTableSentences(table: TextTable): string[] {
  if (table.textColumns.length !== 1) throw new Error(`textTableSentences needs one text column, the table has ${table.textColumns.length}`);
  return table.texts.map(([text]) => text!);
}

/** Tables in the notebook: danfojs DataFrames/Series and arrays of records as HTML (plus a text fallback). */
import { DataFrameLike, isDataFrameLike, isTensor } from './inputs';
import { escapeHtml } from './html';
import { notebookDisplaySink } from './notebook';
import * as tf from '@tensorflow/tfjs';

export type TableInput = DataFrameLike | Array<Record<string, unknown>> | tf.Tensor | unknown[][];

export interface TableOptions {
  /** Rows shown; longer tables show the first and last rows around a "…" row (default 20). */
  maxRows?: number;
  /** Significant digits for non-integer numbers (default 4). */
  precision?: number;
  caption?: string;
  /** Show the DataFrame index / row numbers (default: true for DataFrames and Series, false for records and arrays). */
  showIndex?: boolean;
  /** Header of a Series' value column (default: the Series' name, else "value"). */
  seriesName?: string;
}

interface TableModel {
  /** Whether the index means something (a DataFrame's), as opposed to row numbers. */
  hasIndex: boolean;
  columns: string[];
  index: string[];
  rows: unknown[][];
  totalRows: number;
}

function isSeriesLike(v: unknown): v is { values: unknown[]; index: Array<string | number>; columns?: unknown } {
  return v != null && typeof v === 'object' && Array.isArray((v as { values?: unknown }).values) && Array.isArray((v as { index?: unknown }).index) && !isDataFrameLike(v);
}

function toModel(input: TableInput, seriesName?: string): TableModel {
  if (isDataFrameLike(input)) {
    const rows = (input.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
    const isSeries = (input as { ndim?: number }).ndim === 1; // a danfojs Series: one value column
    const columns = isSeries && seriesName !== undefined ? [seriesName] : input.columns.map(String);
    return { hasIndex: true, columns, index: input.index.map(String), rows, totalRows: rows.length };
  }
  if (isSeriesLike(input)) {
    const name = (input as { name?: unknown }).name;
    return { hasIndex: true, columns: [seriesName ?? (typeof name === 'string' ? name : 'value')], index: input.index.map(String), rows: input.values.map((v) => [v]), totalRows: input.values.length };
  }
  if (isTensor(input)) {
    const t = input.rank === 1 ? (input.arraySync() as number[]).map((v) => [v]) : input.rank === 2 ? (input.arraySync() as number[][]) : null;
    if (!t) throw new Error(`showTable: tensors of rank 1 or 2 only, got [${input.shape}]`);
    return { hasIndex: false, columns: (t[0] ?? []).map((_, j) => String(j)), index: t.map((_, i) => String(i)), rows: t, totalRows: t.length };
  }
  if (!Array.isArray(input)) throw new Error('showTable: expected a DataFrame, an array of records, a 2D array or a tensor');
  if (input.length > 0 && Array.isArray(input[0])) {
    const rows = input as unknown[][];
    const width = Math.max(...rows.map((r) => r.length));
    return { hasIndex: false, columns: Array.from({ length: width }, (_, j) => String(j)), index: rows.map((_, i) => String(i)), rows, totalRows: rows.length };
  }
  const records = input as Array<Record<string, unknown>>;
  const columns: string[] = [];
  for (const r of records) {
    if (r == null || typeof r !== 'object') throw new Error('showTable: array items must be records (objects) or arrays');
    for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  }
  return { hasIndex: false, columns, index: records.map((_, i) => String(i)), rows: records.map((r) => columns.map((c) => r[c])), totalRows: records.length };
}

export function formatTableCell(value: unknown, precision = 4): string {
  if (value == null) return '';
  if (typeof value === 'number') {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    const magnitude = Math.floor(Math.log10(Math.abs(value)));
    // the same number of significant digits, trailing zeros kept, so a column's decimals line up
    if (magnitude >= -3 && magnitude < 9) return value.toFixed(Math.max(0, precision - 1 - magnitude));
    return value.toExponential(precision - 1);
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Head and tail rows with null marking the elided middle. */
function visibleRows(model: TableModel, maxRows: number): Array<number | null> {
  const n = model.totalRows;
  if (n <= maxRows) return Array.from({ length: n }, (_, i) => i);
  const head = Math.ceil(maxRows / 2);
  const tail = maxRows - head;
  return [...Array.from({ length: head }, (_, i) => i), null, ...Array.from({ length: tail }, (_, i) => n - tail + i)];
}

/** An HTML table with inline styles only (no scripts, no external CSS), so it looks the same in exported handouts. */
export function tableToHtml(input: TableInput, options: TableOptions = {}): string {
  const model = toModel(input, options.seriesName);
  const p = options.precision ?? 4;
  const showIndex = options.showIndex ?? model.hasIndex;
  const cell = 'padding:2px 8px;border-bottom:1px solid #ddd;';
  const numeric = model.columns.map((_, j) => model.rows.every((r) => r[j] == null || typeof r[j] === 'number'));
  const th = (s: string, right: boolean) => `<th style="${cell}text-align:${right ? 'right' : 'left'};">${escapeHtml(s)}</th>`;
  const header = `<tr>${showIndex ? th('', false) : ''}${model.columns.map((c, j) => th(c, numeric[j])).join('')}</tr>`;
  const body = visibleRows(model, options.maxRows ?? 20)
    .map((i) => {
      if (i === null) return `<tr><td colspan="${model.columns.length + (showIndex ? 1 : 0)}" style="${cell}text-align:center;">…</td></tr>`;
      const idx = showIndex ? `<th style="${cell}text-align:left;">${escapeHtml(model.index[i])}</th>` : '';
      const tds = model.rows[i].map((v, j) => `<td style="${cell}text-align:${numeric[j] ? 'right' : 'left'};">${escapeHtml(formatTableCell(v, p))}</td>`).join('');
      return `<tr>${idx}${tds}</tr>`;
    })
    .join('');
  const caption = options.caption ? `<div style="font-weight:bold;margin-bottom:2px;">${escapeHtml(options.caption)}</div>` : '';
  const footer = `<div style="color:#666;font-size:90%;">${model.totalRows} rows × ${model.columns.length} columns</div>`;
  return `<div>${caption}<table style="border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;"><thead>${header}</thead><tbody>${body}</tbody></table>${footer}</div>`;
}

/** A fixed-width text table, for terminals and for the text/plain part of the notebook output. */
export function tableToText(input: TableInput, options: TableOptions = {}): string {
  const model = toModel(input, options.seriesName);
  const p = options.precision ?? 4;
  const showIndex = options.showIndex ?? model.hasIndex;
  const lines: string[][] = [[...(showIndex ? [''] : []), ...model.columns]];
  for (const i of visibleRows(model, options.maxRows ?? 20)) {
    if (i === null) lines.push([...(showIndex ? ['…'] : []), ...model.columns.map(() => '…')]);
    else lines.push([...(showIndex ? [model.index[i]] : []), ...model.rows[i].map((v) => formatTableCell(v, p))]);
  }
  const widths = lines[0].map((_, j) => Math.max(...lines.map((l) => (l[j] ?? '').length)));
  const text = lines.map((l) => l.map((s, j) => (s ?? '').padStart(widths[j])).join('  ').trimEnd());
  const caption = options.caption ? [options.caption] : [];
  return [...caption, ...text, `[${model.totalRows} rows x ${model.columns.length} columns]`].join('\n');
}

/** Shows a table: HTML in a notebook, text on stdout elsewhere. */
export function showTable(input: TableInput, options: TableOptions = {}): void {
  const sink = notebookDisplaySink();
  if (sink) sink.show({ 'text/html': tableToHtml(input, options), 'text/plain': tableToText(input, options) });
  else process.stdout.write(tableToText(input, options) + '\n');
}

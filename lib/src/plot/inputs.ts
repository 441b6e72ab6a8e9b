/**
 * Turns the kinds of data a notebook has at hand (tensors, nested arrays, typed arrays, danfojs
 * DataFrames) into plain JS arrays that a vega-lite spec can hold inline.
 */
import * as tf from '@tensorflow/tfjs';

/** A matrix given as a rank-2 tensor or nested arrays. */
export type MatrixInput = tf.Tensor | ArrayLike<ArrayLike<number>>;
/** A vector given as a rank-1 tensor, an array or a typed array. */
export type VectorInput = tf.Tensor | ArrayLike<number>;

/** The subset of a danfojs DataFrame that the plot and table helpers read. */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index: Array<string | number>;
}

export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}

/** Duck-typed check so that danfojs stays an optional import for callers. */
export function isDataFrameLike(value: unknown): value is DataFrameLike {
  if (value == null || typeof value !== 'object') return false;
  const v = value as Partial<DataFrameLike>;
  return Array.isArray(v.columns) && Array.isArray(v.values) && Array.isArray(v.index);
}

export function toVector(input: VectorInput, what = 'vector'): number[] {
  if (isTensor(input)) {
    if (input.rank !== 1) throw new Error(`${what}: expected a rank-1 tensor, got shape [${input.shape}]`);
    return Array.from(input.dataSync());
  }
  if (input == null || typeof (input as ArrayLike<number>).length !== 'number') {
    throw new Error(`${what}: expected an array or a rank-1 tensor`);
  }
  return Array.from(input, (x, i) => {
    if (typeof x !== 'number') throw new Error(`${what}[${i}] is not a number`);
    return x;
  });
}

export function toMatrix(input: MatrixInput, what = 'matrix'): number[][] {
  if (isTensor(input)) {
    if (input.rank !== 2) throw new Error(`${what}: expected a rank-2 tensor, got shape [${input.shape}]`);
    return input.arraySync() as number[][];
  }
  if (input == null || typeof input.length !== 'number') throw new Error(`${what}: expected a 2D array or tensor`);
  const rows = Array.from(input, (row, i) => toVector(row, `${what}[${i}]`));
  const width = rows.length ? rows[0].length : 0;
  rows.forEach((row, i) => {
    if (row.length !== width) throw new Error(`${what}: row ${i} has ${row.length} values, row 0 has ${width}`);
  });
  return rows;
}

/**
 * Class labels as integers: accepts integer labels (array or rank-1 tensor) or one-hot /
 * probability rows (rank-2), which are reduced with argmax.
 */
export function toClassIndices(input: VectorInput | MatrixInput, what = 'labels'): number[] {
  if (isTensor(input)) {
    if (input.rank === 2) return Array.from(tf.tidy(() => tf.argMax(input, 1)).dataSync());
    return toVector(input, what).map((x) => Math.round(x));
  }
  const first = (input as ArrayLike<unknown>)[0];
  if (first != null && typeof first === 'object') {
    return toMatrix(input as ArrayLike<ArrayLike<number>>, what).map(argmax);
  }
  return toVector(input as ArrayLike<number>, what).map((x) => Math.round(x));
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** A DataFrame as an array of records keyed by column name (the index becomes `indexName` if given). */
export function dataFrameToRecords(df: DataFrameLike, indexName?: string): Record<string, unknown>[] {
  const rows = df.values as unknown[];
  return rows.map((row, i) => {
    const cells = Array.isArray(row) ? row : [row];
    const record: Record<string, unknown> = {};
    if (indexName) record[indexName] = df.index[i];
    df.columns.forEach((col, j) => (record[col] = cells[j]));
    return record;
  });
}

export function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return [0, 0];
  return [lo, hi];
}

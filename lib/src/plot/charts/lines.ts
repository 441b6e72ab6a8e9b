/**
 * Generic line charts: one or several named series, e.g. loss vs learning rate, accuracy vs model
 * size, a function and its approximation.
 */
import type { TopLevelSpec } from 'vega-lite';
import { toVector, VectorInput } from '../inputs';
import { ChartOptions, finishSpec } from './common';

/** A series is y values (x = 0, 1, 2...) or explicit {x, y}. */
export type LineSeries = VectorInput | { x: VectorInput; y: VectorInput };

export interface LineChartOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot at every point (default: when a series has <= 50 points). */
  points?: boolean;
  /** Shared x values for series given as plain y arrays. */
  x?: VectorInput;
  /** Colours of several series, in order (default: the category colours), e.g. to match the paths of another chart. */
  colors?: readonly string[];
}

export function lineChart(series: Record<string, LineSeries> | LineSeries, options: LineChartOptions = {}): TopLevelSpec {
  const named: Record<string, LineSeries> =
    isSeries(series) ? { [options.yTitle ?? 'y']: series } : (series as Record<string, LineSeries>);
  const sharedX = options.x ? toVector(options.x, 'x') : undefined;
  const rows: Array<{ x: number; y: number; series: string }> = [];
  let longest = 0;
  for (const [name, s] of Object.entries(named)) {
    const ys = toVector(isXY(s) ? s.y : s, `${name}.y`);
    const xs = isXY(s) ? toVector(s.x, `${name}.x`) : sharedX ?? ys.map((_, i) => i);
    if (xs.length !== ys.length) throw new Error(`lineChart: series "${name}" has ${xs.length} x and ${ys.length} y values`);
    longest = Math.max(longest, ys.length);
    ys.forEach((y, i) => {
      if (Number.isFinite(y) && Number.isFinite(xs[i])) rows.push({ x: xs[i], y, series: name });
    });
  }
  if (rows.length === 0) throw new Error('lineChart: no finite points to plot');
  const many = Object.keys(named).length > 1;
  return finishSpec(
    {
      width: options.width ?? 360,
      height: options.height ?? 220,
      data: { values: rows },
      mark: { type: 'line', point: options.points ?? longest <= 50, tooltip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x', scale: options.logX ? { type: 'log' } : { zero: false } },
        y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: options.logY ? { type: 'log' } : { zero: false } },
        ...(many
          ? { color: { field: 'series', type: 'nominal', title: null, sort: Object.keys(named), ...(options.colors ? { scale: { domain: Object.keys(named), range: [...options.colors] } } : {}) } }
          : {}),
      },
    },
    options,
  );
}

function isXY(s: LineSeries): s is { x: VectorInput; y: VectorInput } {
  return s != null && typeof s === 'object' && 'x' in s && 'y' in s && !('length' in s);
}

function isSeries(s: unknown): s is LineSeries {
  if (s == null || typeof s !== 'object') return false;
  if (ArrayBuffer.isView(s) || Array.isArray(s) || 'dataSync' in s) return true;
  return isXY(s as LineSeries) && Object.keys(s).every((k) => k === 'x' || k === 'y');
}

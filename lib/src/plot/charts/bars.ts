/**
 * Bars and labelled points for comparing a handful of named things: per-class accuracy of several models, models
 * placed by training time and accuracy.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ChartOptions, finishSpec } from './common';

export interface GroupedBarOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  /** Vega number format of the value axis, e.g. `'%'` for shares (default: plain numbers). */
  format?: string;
  /** Fix the value axis to this domain (default: from zero to the largest value). */
  domain?: [number, number];
}

/**
 * Bars of `values[group][category]`: one bar per category, or side-by-side bars per category when there are several
 * groups (e.g. the per-class accuracy of each model). Categories keep the order of the first group.
 */
export function groupedBarChart(values: Record<string, Record<string, number>>, options: GroupedBarOptions = {}): TopLevelSpec {
  const groups = Object.keys(values);
  if (groups.length === 0) throw new Error('groupedBarChart: no groups to draw');
  const categories = [...new Set(groups.flatMap((g) => Object.keys(values[g])))];
  const rows = groups.flatMap((group) =>
    Object.entries(values[group]).map(([category, value]) => {
      if (!Number.isFinite(value)) throw new Error(`groupedBarChart: ${group} / ${category} is ${value}, not a finite number`);
      return { group, category, value };
    }),
  );
  const several = groups.length > 1;
  const axis = options.format ? { format: options.format } : {};
  return finishSpec(
    {
      width: options.width ?? Math.max(220, categories.length * (several ? 16 * groups.length : 28)),
      height: options.height ?? 220,
      data: { values: rows },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'category', type: 'nominal', sort: categories, title: options.xTitle ?? null, axis: { labelAngle: categories.length > 6 ? -45 : 0 } },
        y: { field: 'value', type: 'quantitative', title: options.yTitle ?? 'value', axis, ...(options.domain ? { scale: { domain: options.domain } } : {}) },
        ...(several
          ? { xOffset: { field: 'group', type: 'nominal', sort: groups }, color: { field: 'group', type: 'nominal', sort: groups, title: null } }
          : {}),
      },
    },
    options,
  );
}

export interface LabelledPoint {
  label: string;
  x: number;
  y: number;
}

export interface LabelledPointsOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  /** Vega number format of the y axis (e.g. `'%'`). */
  yFormat?: string;
}

/** One dot per named point, with its name written beside it: e.g. models by training time (x) and accuracy (y). */
export function labelledPointsChart(points: LabelledPoint[], options: LabelledPointsOptions = {}): TopLevelSpec {
  if (points.length === 0) throw new Error('labelledPointsChart: no points to draw');
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new Error(`labelledPointsChart: point "${p.label}" is (${p.x}, ${p.y})`);
    if (options.logX && p.x <= 0) throw new Error(`labelledPointsChart: point "${p.label}" has x = ${p.x}, not positive on a log axis`);
  }
  const x = { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x', scale: options.logX ? { type: 'log' } : { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: { zero: false }, ...(options.yFormat ? { axis: { format: options.yFormat } } : {}) };
  return finishSpec(
    {
      width: options.width ?? 360,
      height: options.height ?? 240,
      data: { values: points },
      encoding: { x, y },
      layer: [
        { mark: { type: 'point', filled: true, size: 70, tooltip: true }, encoding: { color: { field: 'label', type: 'nominal', legend: null, sort: points.map((p) => p.label) } } },
        { mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 11 }, encoding: { text: { field: 'label' } } },
      ],
    },
    options,
  );
}

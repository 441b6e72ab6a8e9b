/** Histograms: how values spread (sentence lengths, weights, scores), one or several series overlaid. */
import type { TopLevelSpec } from 'vega-lite';
import { toVector, VectorInput } from '../inputs';
import { ChartOptions, finishSpec } from './common';

export interface HistogramOptions extends ChartOptions {
  xTitle?: string;
  /** Upper bound on the number of bins (default 30); Vega-Lite picks round bin edges. */
  maxBins?: number;
  /** Show each series' share of its values instead of counts (default false: counts). */
  normalize?: boolean;
}

/** A histogram of each named series, overlaid in its own colour (bars are translucent where several overlap). */
export function histogramChart(series: Record<string, VectorInput>, options: HistogramOptions = {}): TopLevelSpec {
  const names = Object.keys(series);
  if (names.length === 0) throw new Error('histogramChart: no series to draw');
  const rows = names.flatMap((name) => {
    const values = toVector(series[name], name).filter(Number.isFinite);
    if (values.length === 0) throw new Error(`histogramChart: series "${name}" has no finite values`);
    return values.map((value) => ({ value, series: name, weight: options.normalize ? 1 / values.length : 1 }));
  });
  const several = names.length > 1;
  return finishSpec(
    {
      width: options.width ?? 360,
      height: options.height ?? 200,
      data: { values: rows },
      mark: { type: 'bar', opacity: several ? 0.55 : 1, tooltip: true, binSpacing: 0 },
      encoding: {
        x: { field: 'value', type: 'quantitative', bin: { maxbins: options.maxBins ?? 30 }, title: options.xTitle ?? 'value' },
        y: { aggregate: 'sum', field: 'weight', type: 'quantitative', title: options.normalize ? 'share' : 'count', stack: null, ...(options.normalize ? { axis: { format: '%' } } : {}) },
        ...(several ? { color: { field: 'series', type: 'nominal', sort: names, title: null } } : {}),
      },
    },
    options,
  );
}

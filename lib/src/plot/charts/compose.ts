/**
 * Several charts in one figure (e.g. decision boundaries after 1, 10 and 100 epochs), laid out in a grid.
 * Vega-lite merges views that share a name, so pasting two course charts into one `concat` silently draws the
 * first chart's background in every panel: each chart's view names get a prefix of their own here.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOptions } from './common';
import { finishSpec } from './common';

export interface ChartGridOptions extends Pick<ChartOptions, 'title'> {
  /** Charts per row (default: all in one row). */
  columns?: number;
  /**
   * One colour scale and legend for all charts (default false). Only for charts that colour the same things
   * (e.g. snapshots of one classifier): merged scales keep one chart's domain, and another chart's series can vanish.
   */
  shareColors?: boolean;
}

/** One figure holding `charts` in a grid; each keeps its own title, axes and legend. */
export function chartGrid(charts: TopLevelSpec[], options: ChartGridOptions = {}): TopLevelSpec {
  if (charts.length === 0) throw new Error('chartGrid: no charts to lay out');
  const columns = options.columns ?? charts.length;
  if (!(Number.isInteger(columns) && columns > 0)) throw new Error(`chartGrid: columns must be a positive integer, got ${columns}`);
  const panels = charts.map((chart, i) => {
    // config (and $schema) only belong at the top level of a vega-lite spec
    const { config: _config, $schema: _schema, ...rest } = chart as unknown as Record<string, unknown>;
    return prefixViewNames(rest, `chart${i + 1}_`);
  });
  const resolve = options.shareColors ? {} : { resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } } };
  return finishSpec({ concat: panels, columns, ...resolve }, options);
}

/** Prefix the `name` of a view and of every view nested in it (layers, concatenations). */
function prefixViewNames(view: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...view };
  if (typeof view.name === 'string') out.name = prefix + view.name;
  for (const key of ['layer', 'hconcat', 'vconcat', 'concat'] as const) {
    const children = view[key];
    if (Array.isArray(children)) {
      out[key] = children.map((child) => (child && typeof child === 'object' ? prefixViewNames(child as Record<string, unknown>, prefix) : child));
    }
  }
  return out;
}

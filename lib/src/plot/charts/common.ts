/** Defaults shared by every chart builder: white background (dark notebook themes), sizes, title. */
import type { TopLevelSpec } from 'vega-lite';

export interface ChartOptions {
  title?: string;
  /** Width of one plot panel in pixels. */
  width?: number;
  /** Height of one plot panel in pixels. */
  height?: number;
}

export const CHART_CONFIG = {
  background: 'white',
  font: 'sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/** Adds title and config; keeps the builder code about the chart itself. */
export function finishSpec(spec: Record<string, unknown>, options: ChartOptions, frameless = false): TopLevelSpec {
  const config = frameless ? { ...CHART_CONFIG, view: { stroke: null } } : CHART_CONFIG;
  const out: Record<string, unknown> = { ...spec, config };
  if (options.title) out.title = options.title;
  return out as unknown as TopLevelSpec;
}

export function defaultClassNames(count: number, given?: string[]): string[] {
  if (given) {
    if (given.length < count) throw new Error(`classNames has ${given.length} names, but labels go up to class ${count - 1}`);
    return given.slice(0, Math.max(count, given.length));
  }
  return Array.from({ length: count }, (_, i) => String(i));
}

/** A vega expression that maps an integer axis value to a token/name; keeps duplicate tokens apart. */
export function indexLabelExpr(names: string[]): string {
  return `${JSON.stringify(names)}[datum.value]`;
}

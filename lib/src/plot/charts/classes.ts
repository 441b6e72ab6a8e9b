/** Classification summaries: confusion matrix heatmap and class-distribution bars. */
import type { TopLevelSpec } from 'vega-lite';
import { isTensor, MatrixInput, toClassIndices, toMatrix, VectorInput } from '../inputs';
import { ChartOptions, defaultClassNames, finishSpec } from './common';

export interface ConfusionMatrixOptions extends ChartOptions {
  classNames?: string[];
  /** Colour and label each cell by its share of the true class (row), not the raw count. */
  normalize?: boolean;
}

/** Counts [true][predicted] from labels and predictions (integers, one-hot or probability rows). */
export function confusionCounts(labels: VectorInput | MatrixInput, predictions: VectorInput | MatrixInput, classCount?: number): number[][] {
  const t = toClassIndices(labels, 'labels');
  const p = toClassIndices(predictions, 'predictions');
  if (t.length !== p.length) throw new Error(`confusion matrix: ${t.length} labels but ${p.length} predictions`);
  const k = classCount ?? Math.max(...t, ...p) + 1;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  t.forEach((c, i) => {
    if (c < 0 || c >= k || p[i] < 0 || p[i] >= k) throw new Error(`confusion matrix: class out of range 0..${k - 1} at ${i}`);
    m[c][p[i]]++;
  });
  return m;
}

/**
 * Confusion matrix: rows are true classes, columns predicted classes. Pass a matrix of counts, or
 * `{labels, predictions}`.
 */
export function confusionMatrixChart(
  input: MatrixInput | { labels: VectorInput | MatrixInput; predictions: VectorInput | MatrixInput },
  options: ConfusionMatrixOptions = {},
): TopLevelSpec {
  const counts =
    !isTensor(input) && 'labels' in input && 'predictions' in input
      ? confusionCounts(input.labels, input.predictions, options.classNames?.length)
      : toMatrix(input as MatrixInput, 'confusion matrix');
  const k = counts.length;
  if (k === 0 || counts.some((r) => r.length !== k)) throw new Error('confusionMatrixChart: the matrix must be square and non-empty');
  const names = defaultClassNames(k, options.classNames).slice(0, k);
  const cells = counts.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => {
      const share = total > 0 ? count / total : 0;
      const value = options.normalize ? share : count;
      return { true: names[t], predicted: names[p], count, share, value, label: options.normalize ? share.toFixed(2) : String(count) };
    });
  });
  const max = Math.max(...cells.map((c) => c.value), 1e-12);
  const side = options.width ?? Math.min(440, Math.max(160, 34 * k));
  const axis = (title: string) => ({ field: title === 'true' ? 'true' : 'predicted', type: 'ordinal', sort: names, title: `${title} class` });
  return finishSpec(
    {
      width: side,
      height: options.height ?? side,
      data: { values: cells },
      encoding: { x: { ...axis('predicted'), axis: { labelAngle: k > 6 ? -45 : 0 } }, y: axis('true') },
      layer: [
        {
          name: 'cells',
          mark: { type: 'rect', tooltip: true },
          encoding: {
            color: {
              field: 'value',
              type: 'quantitative',
              title: options.normalize ? 'share of row' : 'count',
              scale: { scheme: 'blues', domain: [0, max] },
            },
          },
        },
        {
          name: 'counts',
          mark: { type: 'text', fontSize: k > 12 ? 8 : 11 },
          encoding: {
            text: { field: 'label' },
            color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    options,
  );
}

export interface ClassDistributionOptions extends ChartOptions {
  classNames?: string[];
  /** Show the share of each split instead of counts (compares splits of different sizes). */
  normalize?: boolean;
}

/** Bars of examples per class; pass one label array, or `{train: labels, test: labels}` for grouped bars. */
export function classDistributionChart(
  labels: VectorInput | MatrixInput | Record<string, VectorInput | MatrixInput>,
  options: ClassDistributionOptions = {},
): TopLevelSpec {
  const single = isTensor(labels) || Array.isArray(labels) || ArrayBuffer.isView(labels);
  const splits: Record<string, number[]> = {};
  if (single) splits.all = toClassIndices(labels as VectorInput, 'labels');
  else for (const [name, l] of Object.entries(labels as Record<string, VectorInput>)) splits[name] = toClassIndices(l, name);
  const k = Math.max(options.classNames?.length ?? 0, ...Object.values(splits).map((l) => Math.max(-1, ...l) + 1));
  if (k <= 0) throw new Error('classDistributionChart: no labels');
  const names = defaultClassNames(k, options.classNames).slice(0, k);
  const rows = Object.entries(splits).flatMap(([split, l]) => {
    const counts = new Array<number>(k).fill(0);
    l.forEach((c) => counts[c]++);
    return counts.map((count, c) => ({ class: names[c], split, count, share: l.length ? count / l.length : 0 }));
  });
  const grouped = !single && Object.keys(splits).length > 1;
  const measure = options.normalize ? 'share' : 'count';
  return finishSpec(
    {
      width: options.width ?? Math.max(200, k * (grouped ? 40 : 26)),
      height: options.height ?? 200,
      data: { values: rows },
      mark: { type: 'bar', tooltip: true },
      name: 'bars',
      encoding: {
        x: { field: 'class', type: 'nominal', sort: names, title: 'class', axis: { labelAngle: k > 6 ? -45 : 0 } },
        y: { field: measure, type: 'quantitative', title: options.normalize ? 'share of examples' : 'examples', ...(options.normalize ? { axis: { format: '%' } } : {}) },
        ...(grouped
          ? { xOffset: { field: 'split', type: 'nominal', sort: Object.keys(splits) }, color: { field: 'split', type: 'nominal', sort: Object.keys(splits), title: null } }
          : {}),
      },
    },
    options,
  );
}

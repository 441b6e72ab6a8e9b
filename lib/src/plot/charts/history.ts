/** Training history: loss and metrics per epoch, one panel per metric, train vs validation. */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { ChartOptions, finishSpec } from './common';

/**
 * A TF.js `History` (from `model.fit`), its `.history` record of metric -> values per epoch, or the course's
 * `TrainingHistory` (from `fitModel`), whose `epochs` hold one record per epoch.
 */
export type HistoryInput =
  | { history: Record<string, ArrayLike<number | tf.Tensor>>; epoch?: number[] }
  | { epochs: ReadonlyArray<EpochRecordLike> }
  | Record<string, ArrayLike<number | tf.Tensor>>;

/** The fields of the train module's `EpochRecord` that a chart needs (kept structural: plot does not import train). */
interface EpochRecordLike {
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  valLoss?: number;
  valMetrics?: Record<string, number>;
}

export interface HistoryChartOptions extends ChartOptions {
  /** Metric names to show (base names, e.g. ['loss', 'acc']); default: all. */
  metrics?: string[];
  /** Use a log scale for the loss panel (default false). */
  logLoss?: boolean;
}

interface HistoryPoint {
  epoch: number;
  metric: string;
  split: 'train' | 'validation';
  value: number;
}

function scalar(v: number | tf.Tensor): number {
  return v instanceof tf.Tensor ? v.dataSync()[0] : v;
}

/** Long-form rows {epoch, metric, split, value}; epochs count from 1 as in the progress display. */
export function historyToRows(input: HistoryInput): HistoryPoint[] {
  if (isEpochRecordList(input)) return epochRecordRows(input.epochs);
  const record = (
    'history' in input && input.history && typeof input.history === 'object' && !Array.isArray(input.history)
      ? input.history
      : input
  ) as Record<string, ArrayLike<number | tf.Tensor>>;
  const epochs = 'epoch' in input && Array.isArray(input.epoch) ? (input.epoch as number[]) : undefined;
  const rows: HistoryPoint[] = [];
  for (const [key, values] of Object.entries(record)) {
    if (values == null || typeof values.length !== 'number') continue;
    const validation = key.startsWith('val_');
    const metric = validation ? key.slice(4) : key;
    Array.from(values).forEach((v, i) => {
      const value = scalar(v);
      if (Number.isFinite(value)) {
        rows.push({ epoch: (epochs?.[i] ?? i) + 1, metric, split: validation ? 'validation' : 'train', value });
      }
    });
  }
  return rows;
}

function isEpochRecordList(input: HistoryInput): input is { epochs: ReadonlyArray<EpochRecordLike> } {
  const epochs = (input as { epochs?: unknown }).epochs;
  return Array.isArray(epochs) && epochs.every((e) => e !== null && typeof e === 'object' && typeof (e as EpochRecordLike).loss === 'number');
}

function epochRecordRows(records: ReadonlyArray<EpochRecordLike>): HistoryPoint[] {
  const rows: HistoryPoint[] = [];
  const add = (epoch: number, metric: string, split: HistoryPoint['split'], value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) rows.push({ epoch: epoch + 1, metric, split, value });
  };
  for (const r of records) {
    add(r.epoch, 'loss', 'train', r.loss);
    for (const [k, v] of Object.entries(r.metrics)) add(r.epoch, k, 'train', v);
    add(r.epoch, 'loss', 'validation', r.valLoss);
    for (const [k, v] of Object.entries(r.valMetrics ?? {})) add(r.epoch, k, 'validation', v);
  }
  return rows;
}

/** Integer ticks only: every epoch up to 20 epochs, about 10 ticks beyond. */
function epochAxis(maxEpoch: number): Record<string, unknown> {
  if (maxEpoch <= 20) return { values: Array.from({ length: maxEpoch }, (_, i) => i + 1), format: 'd' };
  return { tickCount: 10, format: 'd', tickMinStep: 1 };
}

export function trainingHistoryChart(history: HistoryInput, options: HistoryChartOptions = {}): TopLevelSpec {
  let rows = historyToRows(history);
  if (options.metrics) {
    const wanted = new Set(options.metrics);
    rows = rows.filter((r) => wanted.has(r.metric));
  }
  if (rows.length === 0) throw new Error('trainingHistoryChart: the history has no finite values to plot');
  const metrics = [...new Set(rows.map((r) => r.metric))].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  const maxEpoch = Math.max(...rows.map((r) => r.epoch));
  const panel = (metric: string) => ({
    width: options.width ?? 260,
    height: options.height ?? 180,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: maxEpoch <= 60, tooltip: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: epochAxis(maxEpoch), scale: { domainMin: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: { zero: false, ...(metric === 'loss' && options.logLoss ? { type: 'log' } : {}) },
      },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'validation'] } },
    },
  });
  return finishSpec(
    {
      data: { values: rows },
      hconcat: metrics.map(panel),
      resolve: { scale: { y: 'independent' } },
    },
    options,
  );
}

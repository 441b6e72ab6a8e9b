/**
 * Training feedback as TF.js callbacks, usable with plain `model.fit(..., {callbacks})` and with
 * the course's fit helpers:
 * - FitProgressCallback: epoch/batch, loss, metrics, elapsed and ETA. In a notebook an HTML
 *   progress bar that updates in place; in a terminal a bar on stderr (\r-updated on a TTY, one
 *   line per epoch otherwise).
 * - LiveLossChartCallback: a loss/metric chart that redraws in place in the notebook, throttled, and
 *   always redrawn once at the end, so a headless run stores one final chart.
 */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { finishSpec } from './charts/common';
import { LiveOutput, notebookDisplaySink } from './notebook';
import { chartMimeBundle } from './show';
import { escapeHtml } from './html';
import { tableToHtml, tableToText } from './tables';

type Logs = Record<string, number>;
type RawLogs = Record<string, number | tf.Tensor> | undefined;

/** Numbers from fit's logs; fit passes scalar tensors in batch logs. Does not dispose them (fit does). */
export async function resolveFitLogs(logs: RawLogs): Promise<Logs> {
  const out: Logs = {};
  if (!logs) return out;
  for (const [k, v] of Object.entries(logs)) {
    if (v instanceof tf.Tensor) {
      if (!v.isDisposed && v.size === 1) out[k] = (await v.data())[0];
    } else if (typeof v === 'number') {
      out[k] = v;
    }
  }
  return out;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4);
}

const HIDDEN_KEYS = new Set(['batch', 'size']);

/** Training metrics first (loss leading), then their validation counterparts, in a stable order. */
function orderedMetrics(logs: Logs): Array<[string, number]> {
  const rank = (k: string) => (k.startsWith('val_') ? 2 : 0) + (k.replace(/^val_/, '') === 'loss' ? 0 : 1);
  return Object.entries(logs)
    .filter(([k]) => !HIDDEN_KEYS.has(k))
    .sort(([a], [b]) => rank(a) - rank(b));
}

function metricsText(logs: Logs, only?: string[]): string {
  return orderedMetrics(logs)
    .filter(([k]) => !HIDDEN_KEYS.has(k) && (!only || only.includes(k) || only.includes(k.replace(/^val_/, ''))))
    .map(([k, v]) => `${k} ${formatMetric(v)}`)
    .join(' · ');
}

export type FeedbackMode = 'auto' | 'notebook' | 'terminal' | 'silent';

interface FitParams {
  epochs?: number;
  initialEpoch?: number;
  steps?: number | null;
  samples?: number | null;
  batchSize?: number | null;
}

/** Counts epochs and batches and times them; shared by both callbacks. */
class FitClock {
  epochs = 0;
  initialEpoch = 0;
  stepsPerEpoch: number | null = null;
  epoch = 0;
  batch = -1;
  trainStart = 0;
  epochStart = 0;

  configure(params: FitParams, fallbackEpochs?: number, fallbackSteps?: number): void {
    this.epochs = params.epochs ?? fallbackEpochs ?? 0;
    this.initialEpoch = params.initialEpoch ?? 0;
    const steps = params.steps ?? (params.samples && params.batchSize ? Math.ceil(params.samples / params.batchSize) : null);
    this.stepsPerEpoch = steps ?? fallbackSteps ?? null;
  }

  elapsed(now = Date.now()): number {
    return (now - this.trainStart) / 1000;
  }

  /** Seconds left, from the average time per batch (or per epoch when batches per epoch are unknown). */
  eta(now = Date.now(), epochDone = false): number {
    const elapsed = this.elapsed(now);
    const epochsRun = this.epoch - this.initialEpoch;
    const epochsLeftAfterThis = this.epochs - this.epoch - 1;
    if (this.stepsPerEpoch) {
      const done = epochsRun * this.stepsPerEpoch + (epochDone ? this.stepsPerEpoch : this.batch + 1);
      const total = (this.epochs - this.initialEpoch) * this.stepsPerEpoch;
      return done > 0 ? (elapsed / done) * (total - done) : NaN;
    }
    if (!epochDone) return NaN;
    return (elapsed / (epochsRun + 1)) * epochsLeftAfterThis;
  }
}

export interface FitProgressOptions {
  /** 'auto' (default): notebook display inside tslab, terminal bar elsewhere. */
  mode?: FeedbackMode;
  /** Minimum milliseconds between redraws during an epoch (default 1000 in notebooks, 200 on a TTY). */
  throttleMs?: number;
  /** Metric names to show (base names, e.g. ['loss', 'acc']); default all. */
  metrics?: string[];
  /** Epochs and batches per epoch, for callers that do not pass fit's params (fit passes them). */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Terminal output stream (default process.stderr). */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Title above the notebook progress display. */
  title?: string;
}

/** Progress of `model.fit` / `model.fitDataset`: see the module comment. */
export class FitProgressCallback extends tf.Callback {
  private readonly clock = new FitClock();
  private readonly mode: Exclude<FeedbackMode, 'auto'>;
  private readonly throttleMs: number;
  private readonly stream: { write(s: string): unknown; isTTY?: boolean };
  // a new output entry per fit: reusing callbacks in a later cell must not redraw an earlier cell's output
  private output = new LiveOutput();
  private readonly epochRows: Array<Record<string, number | string>> = [];
  private lastDraw = 0;
  private lineWidth = 0;

  constructor(private readonly options: FitProgressOptions = {}) {
    super();
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? (notebookDisplaySink() ? 'notebook' : 'terminal') : mode;
    this.stream = options.stream ?? process.stderr;
    this.throttleMs = options.throttleMs ?? (this.mode === 'notebook' ? 1000 : 200);
  }

  override async onTrainBegin(): Promise<void> {
    this.output = new LiveOutput();
    this.clock.configure(this.params as FitParams, this.options.epochs, this.options.stepsPerEpoch);
    this.clock.trainStart = Date.now();
    this.epochRows.length = 0;
    this.lastDraw = 0;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.clock.epoch = epoch;
    this.clock.batch = -1;
    this.clock.epochStart = Date.now();
  }

  override async onBatchEnd(batch: number, logs?: RawLogs): Promise<void> {
    this.clock.batch = batch;
    const now = Date.now();
    if (this.mode === 'silent' || now - this.lastDraw < this.throttleMs) return;
    if (this.mode === 'terminal' && !this.stream.isTTY) return;
    this.lastDraw = now;
    this.draw(await resolveFitLogs(logs), false);
  }

  override async onEpochEnd(epoch: number, logs?: RawLogs): Promise<void> {
    this.clock.epoch = epoch;
    const values = await resolveFitLogs(logs);
    const seconds = (Date.now() - this.clock.epochStart) / 1000;
    const row: Record<string, number | string> = { epoch: epoch + 1 };
    for (const [k, v] of orderedMetrics(values)) row[k] = v;
    row.seconds = Number(seconds.toFixed(2));
    this.epochRows.push(row);
    if (this.mode === 'silent') return;
    this.lastDraw = Date.now();
    this.draw(values, true);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.mode === 'notebook') this.drawNotebook({}, true, true);
    if (this.mode === 'terminal') {
      this.stream.write(`done: ${this.epochRows.length} epochs in ${formatDuration(this.clock.elapsed())}\n`);
    }
  }

  /** One status line: epoch, batch, metrics, timing. */
  statusLine(logs: Logs, epochDone: boolean): string {
    const c = this.clock;
    const epochPart = `epoch ${c.epoch + 1}/${c.epochs || '?'}`;
    const batchPart = c.stepsPerEpoch ? ` · batch ${epochDone ? c.stepsPerEpoch : c.batch + 1}/${c.stepsPerEpoch}` : '';
    const metrics = metricsText(logs, this.options.metrics);
    const eta = c.eta(Date.now(), epochDone);
    const timing = `${formatDuration(c.elapsed())} elapsed${Number.isFinite(eta) ? ` · ETA ${formatDuration(eta)}` : ''}`;
    return `${epochPart}${batchPart}${metrics ? ' · ' + metrics : ''} · ${timing}`;
  }

  private fraction(epochDone: boolean): number {
    const c = this.clock;
    const total = c.epochs - c.initialEpoch;
    if (total <= 0) return 0;
    const within = epochDone ? 1 : c.stepsPerEpoch ? (c.batch + 1) / c.stepsPerEpoch : 0;
    return Math.min(1, (c.epoch - c.initialEpoch + within) / total);
  }

  private draw(logs: Logs, epochDone: boolean): void {
    if (this.mode === 'notebook') this.drawNotebook(logs, epochDone, false);
    else if (this.mode === 'terminal') this.drawTerminal(logs, epochDone);
  }

  private drawTerminal(logs: Logs, epochDone: boolean): void {
    const line = this.statusLine(logs, epochDone);
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(this.fraction(epochDone) * width);
      const bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] `;
      // a line longer than the terminal would wrap, and \r would then only redraw its last row
      const columns = (this.stream as { columns?: number }).columns;
      const full = bar + line;
      const text = columns && full.length >= columns ? full.slice(0, columns - 2) + '…' : full;
      const pad = ' '.repeat(Math.max(0, this.lineWidth - text.length));
      this.lineWidth = text.length;
      this.stream.write(`\r${text}${pad}${epochDone ? '\n' : ''}`);
      if (epochDone) this.lineWidth = 0;
    } else if (epochDone) {
      this.stream.write(line + '\n');
    }
  }

  private drawNotebook(logs: Logs, epochDone: boolean, finished: boolean): void {
    const fraction = finished ? 1 : this.fraction(epochDone);
    const status = finished
      ? `done: ${this.epochRows.length} epochs in ${formatDuration(this.clock.elapsed())}`
      : this.statusLine(logs, epochDone);
    const title = this.options.title ? `<div style="font-weight:bold;">${escapeHtml(this.options.title)}</div>` : '';
    const table = this.epochRows.length ? tableToHtml(this.epochRows, { maxRows: 12, showIndex: false }) : '';
    const html =
      `<div style="font-family:sans-serif;font-size:13px;">${title}` +
      `<progress value="${fraction.toFixed(4)}" max="1" style="width:300px;vertical-align:middle;"></progress> ` +
      `<span style="font-variant-numeric:tabular-nums;">${escapeHtml(status)}</span>${table}</div>`;
    const text = [status, ...(this.epochRows.length ? [tableToText(this.epochRows, { maxRows: 12, showIndex: false })] : [])].join('\n');
    this.output.update({ 'text/html': html, 'text/plain': text });
  }
}

export interface LiveLossChartOptions {
  /** 'auto' (default) draws only in a notebook; 'silent' never draws. */
  mode?: 'auto' | 'notebook' | 'silent';
  /** Base metric names to plot (default: loss and every metric in the logs). */
  metrics?: string[];
  /** Minimum milliseconds between redraws (default 2000); the final chart is always drawn. */
  minIntervalMs?: number;
  /** Also plot the running batch loss within epochs (default true). */
  batches?: boolean;
  /** Record a batch point every this many batches (default: about 50 points per epoch). */
  batchEvery?: number;
  title?: string;
  width?: number;
  height?: number;
}

interface CurvePoint {
  epoch: number;
  metric: string;
  split: 'batch' | 'train' | 'validation';
  value: number;
}

/** The live chart's spec: per metric panel, epoch-level train/validation lines over faint batch-level lines. */
export function liveHistorySpec(points: CurvePoint[], options: { title?: string; width?: number; height?: number; totalEpochs?: number } = {}): TopLevelSpec {
  const metrics = [...new Set(points.map((p) => p.metric))].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  const color = {
    field: 'split',
    type: 'nominal',
    title: null,
    scale: { domain: ['batch', 'train', 'validation'], range: ['#a6c8e6', '#4c78a8', '#f58518'] },
  };
  const maxEpoch = Math.ceil(Math.max(1, options.totalEpochs ?? 0, ...points.map((p) => p.epoch)));
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: [0, maxEpoch] },
    axis: { tickMinStep: 1, format: 'd', ...(maxEpoch <= 20 ? { values: Array.from({ length: maxEpoch + 1 }, (_, i) => i) } : {}) },
  };
  const panel = (metric: string) => ({
    width: options.width ?? 260,
    height: options.height ?? 180,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    encoding: { x, y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, color },
    layer: [
      { transform: [{ filter: "datum.split == 'batch'" }], mark: { type: 'line', strokeWidth: 1 } },
      { transform: [{ filter: "datum.split != 'batch'" }], mark: { type: 'line', point: true } },
    ],
  });
  return finishSpec({ data: { values: points }, hconcat: metrics.map(panel), resolve: { scale: { y: 'independent' } } }, options);
}

/** A loss/metric chart that redraws in place during training (notebook only): see the module comment. */
export class LiveLossChartCallback extends tf.Callback {
  private readonly clock = new FitClock();
  // a new output entry per fit: reusing callbacks in a later cell must not redraw an earlier cell's output
  private output = new LiveOutput();
  private readonly points: CurvePoint[] = [];
  private readonly enabled: boolean;
  private lastDraw = 0;
  private lastDrawMs = 0;
  private drawing: Promise<void> | null = null;
  /** Number of times the chart was sent to the notebook (for tests and for the curious). */
  draws = 0;

  constructor(private readonly options: LiveLossChartOptions = {}) {
    super();
    const mode = options.mode ?? 'auto';
    this.enabled = mode === 'notebook' || (mode === 'auto' && notebookDisplaySink() !== null);
  }

  /** The points recorded so far (epoch-level and batch-level). */
  get curve(): ReadonlyArray<CurvePoint> {
    return this.points;
  }

  private wanted(metric: string): boolean {
    return !HIDDEN_KEYS.has(metric) && (!this.options.metrics || this.options.metrics.includes(metric));
  }

  override async onTrainBegin(): Promise<void> {
    this.output = new LiveOutput();
    this.clock.configure(this.params as FitParams);
    this.clock.trainStart = Date.now();
    this.points.length = 0;
    this.lastDraw = Date.now(); // first draw after minInterval or at the first epoch end
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.clock.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs?: RawLogs): Promise<void> {
    if (!this.enabled || this.options.batches === false) return;
    const steps = this.clock.stepsPerEpoch;
    const every = this.options.batchEvery ?? Math.max(1, Math.floor((steps ?? 50) / 50));
    if ((batch + 1) % every !== 0) return;
    const values = await resolveFitLogs(logs);
    const x = this.clock.epoch + (steps ? (batch + 1) / steps : 0);
    for (const [k, v] of Object.entries(values)) if (this.wanted(k)) this.points.push({ epoch: x, metric: k, split: 'batch', value: v });
    await this.maybeDraw(false);
  }

  override async onEpochEnd(epoch: number, logs?: RawLogs): Promise<void> {
    const values = await resolveFitLogs(logs);
    for (const [k, v] of Object.entries(values)) {
      const validation = k.startsWith('val_');
      const metric = validation ? k.slice(4) : k;
      if (this.wanted(metric) && Number.isFinite(v)) this.points.push({ epoch: epoch + 1, metric, split: validation ? 'validation' : 'train', value: v });
    }
    if (this.enabled) await this.maybeDraw(false);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.enabled) await this.maybeDraw(true);
  }

  private async maybeDraw(force: boolean): Promise<void> {
    if (this.points.length === 0) return;
    const now = Date.now();
    // drawing costs ~0.1-0.3 s: keep it under ~5% of training time however small minIntervalMs is
    const interval = Math.max(this.options.minIntervalMs ?? 2000, 20 * this.lastDrawMs);
    if (!force && now - this.lastDraw < interval) return;
    if (this.drawing) await this.drawing;
    this.lastDraw = now;
    this.drawing = (async () => {
      const spec = liveHistorySpec(this.points, { ...this.options, totalEpochs: this.clock.epochs });
      // the PNG copy (for untrusted notebooks) only on the stored final chart: redraws stay cheap
      const { bundle, metadata } = await chartMimeBundle(spec, { interactive: force, untrustedPng: force });
      this.output.update(bundle, metadata);
      this.draws++;
      this.lastDrawMs = Date.now() - now;
    })();
    try {
      await this.drawing;
    } finally {
      this.drawing = null;
    }
  }
}

export interface TrainingFeedbackOptions extends FitProgressOptions {
  /** Draw the live loss chart in notebooks (default true). */
  chart?: boolean | LiveLossChartOptions;
}

/**
 * The usual feedback for a fit: progress (notebook or terminal) plus, in a notebook, a live loss
 * chart. Pass the result as `callbacks` to `model.fit` (or append your own tf.Callback objects).
 */
export function trainingFeedback(options: TrainingFeedbackOptions = {}): tf.Callback[] {
  const callbacks: tf.Callback[] = [new FitProgressCallback(options)];
  const chart = options.chart ?? true;
  if (chart !== false && options.mode !== 'silent' && options.mode !== 'terminal') {
    callbacks.push(new LiveLossChartCallback({ metrics: options.metrics, ...(typeof chart === 'object' ? chart : {}) }));
  }
  return callbacks;
}

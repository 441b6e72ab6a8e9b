/**
 * Scatter of 2D points coloured by class over a background that shows what a model predicts on a
 * grid covering the data: the decision boundary. The background is one PNG (image mark), so a
 * fine grid costs a few kilobytes instead of thousands of SVG rects.
 */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { CATEGORY_COLORS, hexToRgb } from '../colors';
import { argmax, MatrixInput, minMax, toClassIndices, toMatrix, VectorInput } from '../inputs';
import { pngDataUrl } from '../png-encode';
import { ChartOptions, defaultClassNames, finishSpec } from './common';

/** A model (anything with `predict`, e.g. a tf.LayersModel) or a function from grid points [m, 2] to outputs. */
export type GridPredictor = { predict(x: tf.Tensor): tf.Tensor | tf.Tensor[] } | ((x: tf.Tensor2D) => tf.Tensor);

export interface DecisionBoundaryOptions extends ChartOptions {
  /** Class of each point (integers or one-hot rows). */
  labels: VectorInput | MatrixInput;
  /** Model whose predictions colour the background; omit for a plain scatter. */
  model?: GridPredictor;
  /** Grid cells per side (default 100). */
  gridSize?: number;
  classNames?: string[];
  /** Margin around the data, as a fraction of its range (default 0.1). */
  padding?: number;
  xTitle?: string;
  yTitle?: string;
}

/**
 * Class and confidence per grid point from raw model outputs: [m] or [m, 1] is a binary output
 * (probability, or logit when outside [0, 1]); [m, k] are class scores (softmaxed unless rows are
 * already probabilities).
 */
export function classifyGridOutputs(output: tf.Tensor): { classes: number[]; confidence: number[] } {
  const rows = output.rank === 1 ? output.shape[0] : output.shape[0];
  const k = output.rank === 1 ? 1 : output.shape[1] ?? 1;
  if (output.rank > 2) throw new Error(`model output must be [m] or [m, k], got [${output.shape}]`);
  const v = output.dataSync();
  const classes: number[] = new Array(rows);
  const confidence: number[] = new Array(rows);
  if (k === 1) {
    const [lo, hi] = minMax(v);
    const logits = lo < 0 || hi > 1;
    for (let i = 0; i < rows; i++) {
      const p = logits ? 1 / (1 + Math.exp(-v[i])) : v[i];
      classes[i] = p >= 0.5 ? 1 : 0;
      confidence[i] = Math.abs(p - 0.5) * 2;
    }
    return { classes, confidence };
  }
  for (let i = 0; i < rows; i++) {
    let row = Array.from(v.subarray(i * k, (i + 1) * k));
    const sum = row.reduce((a, b) => a + b, 0);
    if (row.some((x) => x < 0) || Math.abs(sum - 1) > 1e-3) {
      const m = Math.max(...row);
      const e = row.map((x) => Math.exp(x - m));
      const s = e.reduce((a, b) => a + b, 0);
      row = e.map((x) => x / s);
    }
    const c = argmax(row);
    classes[i] = c;
    confidence[i] = k > 1 ? (row[c] - 1 / k) / (1 - 1 / k) : row[c];
  }
  return { classes, confidence };
}

function predictGrid(model: GridPredictor, grid: tf.Tensor2D): { classes: number[]; confidence: number[] } {
  const out = typeof model === 'function' ? model(grid) : model.predict(grid);
  const tensor = Array.isArray(out) ? out[0] : out;
  try {
    return classifyGridOutputs(tensor);
  } finally {
    (Array.isArray(out) ? out : [out]).forEach((t) => t.dispose());
  }
}

export function decisionBoundaryChart(points: MatrixInput, options: DecisionBoundaryOptions): TopLevelSpec {
  const xy = toMatrix(points, 'points');
  if (xy.length === 0 || xy[0].length !== 2) throw new Error(`decisionBoundaryChart: points must be [n, 2], got [${xy.length}, ${xy[0]?.length}]`);
  const labels = toClassIndices(options.labels, 'labels');
  if (labels.length !== xy.length) throw new Error(`decisionBoundaryChart: ${xy.length} points but ${labels.length} labels`);
  const pad = options.padding ?? 0.1;
  const range = (values: number[]): [number, number] => {
    const [lo, hi] = minMax(values);
    const margin = (hi - lo || 1) * pad;
    return [lo - margin, hi + margin];
  };
  const [x0, x1] = range(xy.map((p) => p[0]));
  const [y0, y1] = range(xy.map((p) => p[1]));
  const n = options.gridSize ?? 100;
  let background: Record<string, unknown> | null = null;
  let classCount = Math.max(...labels) + 1;
  if (options.model) {
    const coords: number[] = [];
    for (let row = 0; row < n; row++) {
      const y = y1 - ((row + 0.5) / n) * (y1 - y0); // image row 0 is the top
      for (let col = 0; col < n; col++) coords.push(x0 + ((col + 0.5) / n) * (x1 - x0), y);
    }
    const grid = tf.tensor2d(coords, [n * n, 2]);
    const { classes, confidence } = predictGrid(options.model, grid);
    grid.dispose();
    classCount = Math.max(classCount, Math.max(...classes) + 1);
    const data = new Uint8Array(n * n * 3);
    classes.forEach((c, i) => {
      const rgb = hexToRgb(CATEGORY_COLORS[c % CATEGORY_COLORS.length]);
      const alpha = 0.15 + 0.35 * Math.min(1, Math.max(0, confidence[i]));
      for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = Math.round(255 * (1 - alpha) + rgb[ch] * alpha);
    });
    background = {
      name: 'boundary',
      data: { values: [{ x0, x1, y0, y1, url: pngDataUrl({ width: n, height: n, channels: 3, data }) }] },
      mark: { type: 'image', aspect: false, aria: false },
      encoding: {
        x: { field: 'x0', type: 'quantitative' },
        x2: { field: 'x1' },
        y: { field: 'y1', type: 'quantitative' },
        y2: { field: 'y0' },
        url: { field: 'url' },
      },
    };
  }
  const names = defaultClassNames(classCount, options.classNames);
  const pointRows = xy.map((p, i) => ({ x: p[0], y: p[1], class: names[labels[i]] }));
  const scale = (lo: number, hi: number) => ({ domain: [lo, hi], nice: false, zero: false });
  return finishSpec(
    {
      width: options.width ?? 320,
      height: options.height ?? 320,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x₁', scale: scale(x0, x1) },
        y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'x₂', scale: scale(y0, y1) },
      },
      layer: [
        ...(background ? [background] : []),
        {
          name: 'points',
          data: { values: pointRows },
          // per-point aria labels would double the SVG of a large scatter
          mark: { type: 'circle', size: 28, opacity: 0.9, stroke: 'white', strokeWidth: 0.5, aria: pointRows.length <= 100 },
          encoding: {
            color: {
              field: 'class',
              type: 'nominal',
              title: 'class',
              scale: { domain: names, range: names.map((_, i) => CATEGORY_COLORS[i % CATEGORY_COLORS.length]) },
            },
          },
        },
      ],
    },
    options,
  );
}

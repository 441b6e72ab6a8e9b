/** Heatmaps: attention weights between two token sequences; a 2D surface (e.g. loss) with paths drawn on it. */
import type { TopLevelSpec } from 'vega-lite';
import * as tf from '@tensorflow/tfjs';
import { isTensor, MatrixInput, toMatrix } from '../inputs';
import { ChartOptions, finishSpec, indexLabelExpr } from './common';

export interface AttentionHeatmapOptions extends ChartOptions {
  /** Tokens along the rows (the sequence that attends, "queries"). */
  queryTokens?: string[];
  /** Tokens along the columns (the sequence attended to, "keys"). */
  keyTokens?: string[];
  /** Write the weight in each cell (default: when both sequences have <= 12 tokens). */
  showValues?: boolean;
}

/** Attention weights [queries, keys] (a [1, q, k] tensor is squeezed) as a heatmap with token labels. */
export function attentionHeatmapChart(weights: MatrixInput, options: AttentionHeatmapOptions = {}): TopLevelSpec {
  let input = weights;
  if (isTensor(weights) && weights.rank === 3 && weights.shape[0] === 1) input = weights.squeeze([0]);
  const w = toMatrix(input, 'attention weights');
  if (input !== weights) (input as tf.Tensor).dispose();
  const q = w.length;
  const k = w[0]?.length ?? 0;
  if (q === 0 || k === 0) throw new Error('attentionHeatmapChart: empty weights');
  const queryTokens = options.queryTokens ?? Array.from({ length: q }, (_, i) => String(i));
  const keyTokens = options.keyTokens ?? Array.from({ length: k }, (_, i) => String(i));
  if (queryTokens.length !== q || keyTokens.length !== k) {
    throw new Error(`attentionHeatmapChart: weights are ${q}x${k} but tokens are ${queryTokens.length} (queries) x ${keyTokens.length} (keys)`);
  }
  const cells = w.flatMap((row, i) => row.map((weight, j) => ({ query: i, key: j, queryToken: queryTokens[i], keyToken: keyTokens[j], weight })));
  const max = Math.max(...cells.map((c) => c.weight), 1e-12);
  const showValues = options.showValues ?? (q <= 12 && k <= 12);
  const cell = Math.max(14, Math.min(36, Math.floor(420 / Math.max(q, k))));
  return finishSpec(
    {
      width: options.width ?? cell * k,
      height: options.height ?? cell * q,
      data: { values: cells },
      encoding: {
        x: { field: 'key', type: 'ordinal', title: 'attended token (key)', axis: { labelExpr: indexLabelExpr(keyTokens), labelAngle: -45, orient: 'top' } },
        y: { field: 'query', type: 'ordinal', title: 'attending token (query)', axis: { labelExpr: indexLabelExpr(queryTokens) } },
      },
      layer: [
        {
          name: 'cells',
          mark: { type: 'rect', tooltip: { content: 'data' } },
          encoding: { color: { field: 'weight', type: 'quantitative', title: 'weight', scale: { scheme: 'blues', domain: [0, max] } } },
        },
        ...(showValues
          ? [
              {
                name: 'values',
                mark: { type: 'text', fontSize: 9 },
                encoding: {
                  text: { field: 'weight', format: '.2f' },
                  color: { condition: { test: `datum.weight > ${max / 2}`, value: 'white' }, value: 'black' },
                },
              },
            ]
          : []),
      ],
    },
    options,
  );
}

/** A path as [[x, y], ...], [{x, y}, ...] or a [steps, 2] tensor. */
export type PathInput = MatrixInput | Array<{ x: number; y: number }>;

export interface HeatmapWithPathOptions extends ChartOptions {
  /** The surface: a function of (x, y) evaluated on the grid, or values z[row][col] (row = y index, from yRange[0] up). */
  z: ((x: number, y: number) => number) | MatrixInput;
  xRange: [number, number];
  yRange: [number, number];
  /** Grid cells per side when z is a function (default 40). */
  resolution?: number;
  /** One path, or several by name (e.g. {sgd: [...], adam: [...]}) drawn over the surface. */
  path?: PathInput;
  paths?: Record<string, PathInput>;
  /**
   * Draw each path only up to its first point outside xRange × yRange (default false: all of it). A diverging path
   * (gradient descent with too large a step) would otherwise run off the picture.
   */
  clipPaths?: boolean;
  xTitle?: string;
  yTitle?: string;
  zTitle?: string;
  /** Log colour scale (all z must be > 0). */
  logColor?: boolean;
}

/** 6 significant digits: keeps the inline data of a big grid small (0.30000000000000004 -> 0.3). */
const short = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

function pathPoints(p: PathInput, name: string): Array<{ x: number; y: number; step: number; path: string }> {
  const rows =
    Array.isArray(p) && p.length > 0 && !Array.isArray(p[0]) && typeof p[0] === 'object' && 'x' in (p[0] as object)
      ? (p as Array<{ x: number; y: number }>).map((q) => [q.x, q.y])
      : toMatrix(p as MatrixInput, `path ${name}`);
  return rows.map((r, step) => {
    if (r.length !== 2) throw new Error(`path ${name}: points must have 2 coordinates`);
    return { x: r[0], y: r[1], step, path: name };
  });
}

/** Colours of the paths drawn over a surface, in order: bright enough to stand out on the viridis scale. */
export const PATH_COLORS: readonly string[] = ['#ff3b30', '#ff9f0a', '#ff2bd6', '#ffffff', '#000000'];

export function heatmapWithPathChart(options: HeatmapWithPathOptions): TopLevelSpec {
  const [x0, x1] = options.xRange;
  const [y0, y1] = options.yRange;
  if (!(x1 > x0) || !(y1 > y0)) throw new Error('heatmapWithPathChart: ranges must be [low, high] with high > low');
  let z: number[][];
  if (typeof options.z === 'function') {
    const n = options.resolution ?? 40;
    const f = options.z;
    z = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => f(x0 + ((c + 0.5) / n) * (x1 - x0), y0 + ((r + 0.5) / n) * (y1 - y0))));
  } else {
    z = toMatrix(options.z, 'z');
  }
  const rowsN = z.length;
  const colsN = z[0]?.length ?? 0;
  if (rowsN === 0 || colsN === 0) throw new Error('heatmapWithPathChart: empty surface');
  const dx = (x1 - x0) / colsN;
  const dy = (y1 - y0) / rowsN;
  const cells = z.flatMap((row, r) =>
    // each cell reaches half-way under the next one (drawn later, so it covers the overlap): anti-aliased
    // edges of abutting rects would leave hairline seams; the last row and column are clipped at the frame
    row.map((value, c) => ({ x: short(x0 + c * dx), x2: short(x0 + (c + 1.5) * dx), y: short(y0 + r * dy), y2: short(y0 + (r + 1.5) * dy), z: short(value) })),
  );
  if (options.logColor && cells.some((c) => !(c.z > 0))) throw new Error('heatmapWithPathChart: logColor needs z > 0 everywhere');
  const paths = { ...(options.path ? { path: options.path } : {}), ...(options.paths ?? {}) };
  const inside = (q: { x: number; y: number }) => q.x >= x0 && q.x <= x1 && q.y >= y0 && q.y <= y1;
  const pathRows = Object.entries(paths).flatMap(([name, p]) => {
    const points = pathPoints(p, name);
    const firstOutside = options.clipPaths ? points.findIndex((q) => !inside(q)) : -1;
    return firstOutside < 0 ? points : points.slice(0, firstOutside);
  });
  const names = Object.keys(paths);
  const scale = (lo: number, hi: number) => ({ domain: [lo, hi], nice: false, zero: false });
  const pathColor = { field: 'path', type: 'nominal', title: names.length > 1 ? 'path' : null, sort: names, scale: { range: [...PATH_COLORS] }, ...(names.length > 1 ? {} : { legend: null }) };
  return finishSpec(
    {
      width: options.width ?? 320,
      height: options.height ?? 300,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x', scale: scale(x0, x1) },
        y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: scale(y0, y1) },
      },
      layer: [
        {
          name: 'cells',
          data: { values: cells },
          mark: { type: 'rect', aria: false, clip: true },
          encoding: {
            x2: { field: 'x2' },
            y2: { field: 'y2' },
            color: { field: 'z', type: 'quantitative', title: options.zTitle ?? 'z', scale: { scheme: 'viridis', ...(options.logColor ? { type: 'log' } : {}) } },
          },
        },
        ...(pathRows.length
          ? [
              {
                data: { values: pathRows },
                layer: [
                  { name: 'pathLine', mark: { type: 'line', strokeWidth: 2 }, encoding: { order: { field: 'step' }, color: pathColor } },
                  { name: 'pathPoints', mark: { type: 'circle', size: 18, opacity: 1 }, encoding: { color: pathColor } },
                ],
              },
            ]
          : []),
      ],
      resolve: { scale: { color: 'independent' } },
    },
    options,
  );
}

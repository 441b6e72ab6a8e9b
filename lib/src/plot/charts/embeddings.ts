/** 2D projection of embeddings with PCA (power iteration on the covariance; no eig in TF.js). */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { CATEGORY_COLORS } from '../colors';
import { MatrixInput, toClassIndices, toMatrix, VectorInput } from '../inputs';
import { ChartOptions, defaultClassNames, finishSpec } from './common';

export interface PcaResult {
  /** Projected rows [n, components]. */
  coords: number[][];
  /** Principal directions [components][d], unit length. */
  components: number[][];
  /** Share of the total variance that each component explains. */
  explainedVarianceRatio: number[];
}

/** Top principal components by power iteration with deflation; deterministic (fixed start vector). */
export function pcaProject(data: MatrixInput, components = 2, iterations = 200): PcaResult {
  const x = toMatrix(data, 'embeddings');
  const n = x.length;
  const d = x[0]?.length ?? 0;
  if (n < 2 || d < components) throw new Error(`pcaProject: need >= 2 rows and >= ${components} columns, got [${n}, ${d}]`);
  const cov = tf.tidy(() => {
    const t = tf.tensor2d(x);
    const centred = t.sub(t.mean(0));
    return centred.transpose().matMul(centred).div(n - 1).arraySync() as number[][];
  });
  const total = cov.reduce((s, row, i) => s + row[i], 0);
  const dirs: number[][] = [];
  const variances: number[] = [];
  for (let c = 0; c < components; c++) {
    let v = Array.from({ length: d }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = cov.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
      const norm = Math.hypot(...w);
      if (norm < 1e-12) break;
      v = w.map((a) => a / norm);
      lambda = norm;
    }
    // deflate: remove this component from the covariance
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] -= lambda * v[i] * v[j];
    // sign convention: largest-magnitude entry positive, so results are stable between runs
    const big = v.reduce((b, a, i) => (Math.abs(a) > Math.abs(v[b]) ? i : b), 0);
    if (v[big] < 0) v = v.map((a) => -a);
    dirs.push(v);
    variances.push(lambda);
  }
  const means = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const coords = x.map((row) => dirs.map((dir) => dir.reduce((s, a, j) => s + a * (row[j] - means[j]), 0)));
  return { coords, components: dirs, explainedVarianceRatio: variances.map((l) => (total > 0 ? l / total : 0)) };
}

export interface EmbeddingProjectionOptions extends ChartOptions {
  /** Class of each row (integers or one-hot): colours the points. */
  labels?: VectorInput | MatrixInput;
  classNames?: string[];
  /** Text next to each point (e.g. the word of a word vector). */
  words?: string[];
  /** Label at most this many points with their word (default 80). */
  maxWords?: number;
}

export function embeddingProjectionChart(embeddings: MatrixInput, options: EmbeddingProjectionOptions = {}): TopLevelSpec {
  const { coords, explainedVarianceRatio: ratio } = pcaProject(embeddings, 2);
  const labels = options.labels != null ? toClassIndices(options.labels, 'labels') : undefined;
  if (labels && labels.length !== coords.length) throw new Error(`embeddingProjectionChart: ${coords.length} rows but ${labels.length} labels`);
  if (options.words && options.words.length !== coords.length) throw new Error(`embeddingProjectionChart: ${coords.length} rows but ${options.words.length} words`);
  const names = labels ? defaultClassNames(Math.max(...labels) + 1, options.classNames) : [];
  const maxWords = options.maxWords ?? 80;
  const rows = coords.map(([pc1, pc2], i) => ({
    pc1: Number(pc1.toPrecision(5)),
    pc2: Number(pc2.toPrecision(5)),
    class: labels ? names[labels[i]] : 'all',
    word: options.words && i < maxWords ? options.words[i] : '',
  }));
  const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
  const color = labels
    ? { color: { field: 'class', type: 'nominal', title: 'class', scale: { domain: names, range: names.map((_, i) => CATEGORY_COLORS[i % 10]) } } }
    : {};
  return finishSpec(
    {
      width: options.width ?? 360,
      height: options.height ?? 320,
      data: { values: rows },
      encoding: {
        x: { field: 'pc1', type: 'quantitative', title: `PC1 (${pct(ratio[0])} of variance)`, scale: { zero: false } },
        y: { field: 'pc2', type: 'quantitative', title: `PC2 (${pct(ratio[1])} of variance)`, scale: { zero: false } },
      },
      layer: [
        { name: 'points', mark: { type: 'circle', size: 30, opacity: 0.8, tooltip: true, aria: rows.length <= 100 }, encoding: color },
        ...(options.words
          ? [
              {
                name: 'words',
                transform: [{ filter: "datum.word != ''" }],
                mark: { type: 'text', align: 'left', dx: 4, dy: -4, fontSize: 10 },
                encoding: { text: { field: 'word' } },
              },
            ]
          : []),
      ],
    },
    options,
  );
}

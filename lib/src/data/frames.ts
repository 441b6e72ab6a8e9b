/**
 * danfojs DataFrame views of each dataset for exploration (`head()`, `describe()`, `valueCounts()`); the plot
 * module shows them (`showTable`, `tableToHtml`, `datasetSummaryHtml`).
 * danfojs-node takes most of a second to import, so it is loaded on first use, not with the library.
 */
import type { DataFrame, Series } from 'danfojs-node';
import type { Toy2dData } from './toy2d';
import type { MnistSplit } from './mnist';
import type { Cifar10Set } from './cifar10';
import type { MrpcPair } from './mrpc';
import type { GloveVectors } from './glove';
import { tokenize } from './text';

type Danfo = typeof import('danfojs-node');
let danfoModule: Danfo | undefined;

/** The danfojs-node module, required on first use. */
export function loadDanfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  danfoModule ??= require('danfojs-node') as Danfo;
  return danfoModule;
}

/** Columns of equal length, as plain arrays. */
type Columns = Record<string, (string | number)[]>;

function frame(columns: Columns): DataFrame {
  const d = loadDanfo();
  return new d.DataFrame(columns);
}

/** Points `x1`, `x2` and their `label`. */
export function toy2dFrame(data: Toy2dData): DataFrame {
  const n = data.labels.length;
  return frame({
    x1: Array.from({ length: n }, (_, i) => data.points[2 * i]),
    x2: Array.from({ length: n }, (_, i) => data.points[2 * i + 1]),
    label: Array.from(data.labels),
  });
}

/** One row per image: `label`, mean pixel value and the share of inked pixels (> 0.5). Reads the tensors once. */
export function mnistFrame(split: MnistSplit, options: { limit?: number } = {}): DataFrame {
  const n = Math.min(options.limit ?? Infinity, split.y.shape[0]);
  const labels = split.y.dataSync();
  const pixels = split.x.dataSync();
  const mean: number[] = [];
  const ink: number[] = [];
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let inked = 0;
    for (let p = i * 784; p < (i + 1) * 784; p++) {
      sum += pixels[p];
      if (pixels[p] > 0.5) inked++;
    }
    mean.push(sum / 784);
    ink.push(inked / 784);
  }
  return frame({ label: Array.from(labels.subarray(0, n)), meanPixel: mean, inkShare: ink });
}

/** One row per image: `label`, `className` and the mean of each colour channel (0-255). */
export function cifar10Frame(set: Cifar10Set, options: { limit?: number } = {}): DataFrame {
  const n = Math.min(options.limit ?? Infinity, set.size);
  const channels: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      const base = i * 3072 + c * 1024;
      for (let p = 0; p < 1024; p++) sum += set.pixels[base + p];
      channels[c].push(sum / 1024);
    }
  }
  const labels = Array.from(set.labels.subarray(0, n));
  return frame({
    label: labels,
    className: labels.map((l) => set.classNames[l]),
    meanRed: channels[0],
    meanGreen: channels[1],
    meanBlue: channels[2],
  });
}

/** One row per pair: ids, label, token counts and the two sentences. */
export function mrpcFrame(pairs: MrpcPair[]): DataFrame {
  return frame({
    id1: pairs.map((p) => p.id1),
    id2: pairs.map((p) => p.id2),
    label: pairs.map((p) => p.label),
    tokens1: pairs.map((p) => tokenize(p.sentence1).length),
    tokens2: pairs.map((p) => tokenize(p.sentence2).length),
    sentence1: pairs.map((p) => p.sentence1),
    sentence2: pairs.map((p) => p.sentence2),
  });
}

/** One row per word (the first `limit`, default 1,000): rank, word, vector norm and the first `dims` components. */
export function gloveFrame(glove: GloveVectors, options: { limit?: number; dims?: number } = {}): DataFrame {
  const n = Math.min(options.limit ?? 1000, glove.size);
  const dims = Math.min(options.dims ?? 4, glove.dim);
  const columns: Columns = { rank: [], word: [], norm: [] };
  for (let d = 0; d < dims; d++) columns[`v${d}`] = [];
  for (let i = 0; i < n; i++) {
    const v = glove.vectors.subarray(i * glove.dim, (i + 1) * glove.dim);
    columns.rank.push(i + 1);
    columns.word.push(glove.words[i]);
    columns.norm.push(Math.hypot(...v));
    for (let d = 0; d < dims; d++) columns[`v${d}`].push(v[d]);
  }
  return frame(columns);
}

/** Pictures as charts: dataset images with labels/predictions, conv filters, feature maps. */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { colorMapRgb, ColorMapName } from '../colors';
import { isTensor, MatrixInput, toClassIndices, VectorInput } from '../inputs';
import { PixelImage } from '../png-encode';
import { Tile, TileLayoutOptions, tiledImagesSpec } from './tiles';

/** Images as a tensor [n, h, w], [n, h, w, 1] or [n, h, w, 3], or nested arrays of the same shapes. */
export type ImagesInput = tf.Tensor | number[][][] | number[][][][];

export interface ImageGridOptions extends TileLayoutOptions {
  /** True labels (integers or one-hot rows). */
  labels?: VectorInput | MatrixInput;
  /** Predicted classes (integers) or predicted probabilities (rows, reduced with argmax). */
  predictions?: VectorInput | MatrixInput;
  classNames?: string[];
  /** Pixel value range shown black..white; default [0,1] or [0,255] when the data fit, else min..max. */
  valueRange?: [number, number];
  /** Show at most this many images (default 64). */
  maxImages?: number;
}

function imagesTensor(images: ImagesInput): tf.Tensor4D {
  const t = isTensor(images) ? images : tf.tensor(images as number[][][]);
  const owned = t !== images;
  if (t.rank === 3) {
    const expanded = t.expandDims(-1) as tf.Tensor4D;
    if (owned) t.dispose();
    return expanded;
  }
  if (t.rank === 4 && (t.shape[3] === 1 || t.shape[3] === 3)) return (owned ? t : t.clone()) as tf.Tensor4D;
  if (owned) t.dispose();
  throw new Error(`imageGridChart: expected images of shape [n,h,w], [n,h,w,1] or [n,h,w,3], got [${t.shape}]`);
}

function autoRange(values: Float32Array | Int32Array | Uint8Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return [0, 1];
  if (lo >= 0 && hi <= 255) return [0, 255];
  return [lo, hi === lo ? lo + 1 : hi];
}

function toPixels(values: ArrayLike<number>, offset: number, count: number, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(count);
  const scale = 255 / (hi - lo || 1);
  for (let i = 0; i < count; i++) out[i] = Math.max(0, Math.min(255, Math.round((values[offset + i] - lo) * scale)));
  return out;
}

export function imageGridChart(images: ImagesInput, options: ImageGridOptions = {}): TopLevelSpec {
  const batch = imagesTensor(images);
  try {
    const [n, h, w, c] = batch.shape;
    const count = Math.min(n, options.maxImages ?? 64);
    if (count === 0) throw new Error('imageGridChart: no images');
    const values = batch.dataSync();
    const [lo, hi] = options.valueRange ?? autoRange(values as Float32Array);
    const labels = options.labels != null ? toClassIndices(options.labels, 'labels') : undefined;
    const predictions = options.predictions != null ? toClassIndices(options.predictions, 'predictions') : undefined;
    const name = (k: number) => options.classNames?.[k] ?? String(k);
    const tiles: Tile[] = [];
    for (let i = 0; i < count; i++) {
      const image: PixelImage = { width: w, height: h, channels: c as 1 | 3, data: toPixels(values, i * h * w * c, h * w * c, lo, hi) };
      const label = labels?.[i];
      const pred = predictions?.[i];
      if (pred != null) {
        const right = label == null || label === pred;
        tiles.push({
          image,
          caption: name(pred),
          note: right ? undefined : `true: ${name(label!)}`,
          status: label == null ? 'plain' : right ? 'right' : 'wrong',
        });
      } else {
        tiles.push({ image, caption: label != null ? name(label) : undefined });
      }
    }
    return tiledImagesSpec(tiles, options);
  } finally {
    batch.dispose();
  }
}

/** Something with conv weights: a Conv2D layer (its kernel is the first weight) or the kernel itself. */
export type ConvKernelInput = tf.Tensor | { getWeights(): tf.Tensor[]; name?: string };

export interface ConvFiltersOptions extends TileLayoutOptions {
  /**
   * How to show filters with several input channels: 'rgb' (3 input channels as colour, the
   * default for 3), 'mean' over input channels, or one input channel's index (default 0 otherwise).
   */
  inputChannel?: number | 'rgb' | 'mean';
  /** Show at most this many filters (default 64). */
  maxFilters?: number;
}

/**
 * Conv filters, one tile each. Single-channel views use a diverging map centred on 0 (blue < 0 <
 * red), scaled per filter; RGB views are min-max scaled per filter.
 */
export function convFiltersChart(kernelOrLayer: ConvKernelInput, options: ConvFiltersOptions = {}): TopLevelSpec {
  const kernel = isTensor(kernelOrLayer) ? kernelOrLayer : kernelOrLayer.getWeights()[0];
  if (!kernel || kernel.rank !== 4) {
    throw new Error(`convFiltersChart: expected a conv kernel [kh, kw, inChannels, filters], got ${kernel ? `[${kernel.shape}]` : 'nothing'}`);
  }
  const [kh, kw, inC, outC] = kernel.shape;
  const mode = options.inputChannel ?? (inC === 3 ? 'rgb' : 0);
  if (mode === 'rgb' && inC !== 3) throw new Error(`convFiltersChart: 'rgb' needs 3 input channels, the kernel has ${inC}`);
  if (typeof mode === 'number' && (mode < 0 || mode >= inC)) throw new Error(`convFiltersChart: input channel ${mode} out of range 0..${inC - 1}`);
  const w = kernel.arraySync() as number[][][][];
  const count = Math.min(outC, options.maxFilters ?? 64);
  const tiles: Tile[] = [];
  for (let f = 0; f < count; f++) {
    const cells: number[][] = []; // per pixel: channel values
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const taps = w[y][x].map((perIn) => perIn[f]);
        if (mode === 'rgb') cells.push(taps);
        else if (mode === 'mean') cells.push([taps.reduce((a, b) => a + b, 0) / inC]);
        else cells.push([taps[mode]]);
      }
    }
    let data: Uint8Array;
    if (mode === 'rgb') {
      const flat = cells.flat();
      const lo = Math.min(...flat);
      const hi = Math.max(...flat);
      data = Uint8Array.from(flat, (v) => Math.round(((v - lo) / (hi - lo || 1)) * 255));
    } else {
      const maxAbs = Math.max(...cells.map((c) => Math.abs(c[0])), 1e-12);
      data = Uint8Array.from(cells.flatMap((c) => colorMapRgb('diverging', 0.5 + c[0] / (2 * maxAbs))));
    }
    tiles.push({ image: { width: kw, height: kh, channels: 3, data }, caption: `#${f}` });
  }
  return tiledImagesSpec(tiles, { zoom: Math.max(2, Math.round(40 / Math.max(kh, kw))), ...options });
}

export interface FeatureMapsOptions extends TileLayoutOptions {
  /** Show at most this many channels (default 32). */
  maxMaps?: number;
  colorMap?: ColorMapName;
}

/** Feature maps (activations of a conv layer for ONE input): [1, h, w, c] or [h, w, c]; each map min-max scaled. */
export function featureMapsChart(activations: tf.Tensor, options: FeatureMapsOptions = {}): TopLevelSpec {
  const a = activations.rank === 4 ? activations : activations.rank === 3 ? null : undefined;
  if (a === undefined) throw new Error(`featureMapsChart: expected [1,h,w,c] or [h,w,c], got [${activations.shape}]`);
  if (a && a.shape[0] !== 1) throw new Error(`featureMapsChart: pass the activations of one input ([1,h,w,c]), got batch ${a.shape[0]}`);
  const [h, w, c] = a ? a.shape.slice(1) : activations.shape;
  const values = activations.dataSync();
  const count = Math.min(c, options.maxMaps ?? 32);
  const colorMap = options.colorMap ?? 'viridis';
  const tiles: Tile[] = [];
  for (let ch = 0; ch < count; ch++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < h * w; p++) {
      const v = values[p * c + ch];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const data = new Uint8Array(h * w * 3);
    for (let p = 0; p < h * w; p++) data.set(colorMapRgb(colorMap, (values[p * c + ch] - lo) / (hi - lo || 1)), p * 3);
    tiles.push({ image: { width: w, height: h, channels: 3, data }, caption: `#${ch}` });
  }
  return tiledImagesSpec(tiles, { zoom: Math.max(1, Math.round(56 / Math.max(h, w))), ...options });
}

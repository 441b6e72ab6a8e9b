/**
 * Toy 2-D classification sets (moons, circles, spirals, XOR, Gaussian blobs) for the first MLP lessons.
 * Every generator is seeded, balances the classes and shuffles the points, so the same options give the same data.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { courseSeed } from '../config';

/** A toy 2-D set: `x` is `[n, 2]` float32, `y` holds int32 class ids in `[0, numClasses)`. */
export interface Toy2dData {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  numClasses: number;
  /** The same points as plain arrays (x1, x2 interleaved), for plotting and DataFrames without a GPU read. */
  points: Float32Array;
  labels: Int32Array;
}

export interface Toy2dOptions {
  /** Number of points (split as evenly as possible between the classes). Default 200. */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. Default depends on the set. */
  noise?: number;
  /** Seed for the points and their order. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
}

type PointMaker = (rng: Rng, classId: number, indexInClass: number, countInClass: number) => [number, number];

function classCounts(n: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => Math.floor(n / classes) + (c < n % classes ? 1 : 0));
}

function makeToy2d(name: string, options: Toy2dOptions, classes: number, defaultNoise: number, make: PointMaker): Toy2dData {
  const n = options.n ?? 200;
  const noise = options.noise ?? defaultNoise;
  if (!Number.isInteger(n) || n < classes) throw new Error(`${name}: n must be an integer >= ${classes}, got ${n}`);
  if (!(noise >= 0)) throw new Error(`${name}: noise must be >= 0, got ${noise}`);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`${name}: classes must be an integer >= 2, got ${classes}`);
  const rng = new Rng(options.seed ?? courseSeed());
  const raw = new Float32Array(2 * n);
  const rawLabels = new Int32Array(n);
  let i = 0;
  classCounts(n, classes).forEach((count, c) => {
    for (let k = 0; k < count; k++, i++) {
      const [a, b] = make(rng, c, k, count);
      raw[2 * i] = a + rng.normal(0, noise);
      raw[2 * i + 1] = b + rng.normal(0, noise);
      rawLabels[i] = c;
    }
  });
  const order = rng.permutation(n);
  const points = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  order.forEach((from, to) => {
    points[2 * to] = raw[2 * from];
    points[2 * to + 1] = raw[2 * from + 1];
    labels[to] = rawLabels[from];
  });
  return { x: tf.tensor2d(points, [n, 2]), y: tf.tensor1d(labels, 'int32'), numClasses: classes, points, labels };
}

/** Two interleaving half circles (class 0 on top, class 1 below and shifted), like scikit-learn's `make_moons`. */
export function makeMoons(options: Toy2dOptions = {}): Toy2dData {
  return makeToy2d('makeMoons', options, 2, 0.1, (_rng, c, k, count) => {
    const t = (Math.PI * k) / Math.max(1, count - 1);
    return c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  });
}

/** Two concentric circles: class 0 outside (radius 1), class 1 inside (radius `factor`). */
export function makeCircles(options: Toy2dOptions & { factor?: number } = {}): Toy2dData {
  const factor = options.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) throw new Error(`makeCircles: factor must be in (0, 1), got ${factor}`);
  return makeToy2d('makeCircles', options, 2, 0.05, (_rng, c, k, count) => {
    const t = (2 * Math.PI * k) / count;
    const r = c === 0 ? 1 : factor;
    return [r * Math.cos(t), r * Math.sin(t)];
  });
}

/** `classes` interleaved spiral arms (default 3) turning `turns` times (default 1), radius growing to 1. */
export function makeSpirals(options: Toy2dOptions & { classes?: number; turns?: number } = {}): Toy2dData {
  const classes = options.classes ?? 3;
  const turns = options.turns ?? 1;
  return makeToy2d('makeSpirals', options, classes, 0.05, (_rng, c, k, count) => {
    const r = (k + 1) / count;
    const t = 2 * Math.PI * (turns * r + c / classes);
    return [r * Math.cos(t), r * Math.sin(t)];
  });
}

/** XOR: points uniform in [-1, 1]^2, class 1 where the two coordinates have different signs. */
export function makeXor(options: Toy2dOptions = {}): Toy2dData {
  // Each class gets its two quadrants in turn, so the classes stay balanced.
  return makeToy2d('makeXor', options, 2, 0.05, (rng, c, k) => {
    const a = rng.uniform(0.05, 1);
    const b = rng.uniform(0.05, 1);
    const sameSign = c === 0;
    const flip = k % 2 === 0 ? 1 : -1;
    return [flip * a, (sameSign ? flip : -flip) * b];
  });
}

/**
 * Gaussian blobs: `classes` clusters (default 3) with standard deviation `noise` (default 0.3), centred on
 * `centers` or, by default, evenly spaced on a circle of radius 2.
 */
export function makeBlobs(options: Toy2dOptions & { classes?: number; centers?: [number, number][] } = {}): Toy2dData {
  const classes = options.centers?.length ?? options.classes ?? 3;
  const centers =
    options.centers ??
    Array.from({ length: classes }, (_, c): [number, number] => [
      2 * Math.cos((2 * Math.PI * c) / classes),
      2 * Math.sin((2 * Math.PI * c) / classes),
    ]);
  return makeToy2d('makeBlobs', options, classes, 0.3, (_rng, c) => centers[c]);
}

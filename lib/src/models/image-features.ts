/**
 * Features of a pre-trained image network for a whole CIFAR-10 set, computed once (lesson 04): the small 32x32
 * images are resized to the network's input and scaled to its range, then run through it a batch at a time.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cifar10Set } from '../data/cifar10';

export interface ImageFeatureOptions {
  /** Images per forward pass (default 64). */
  batchSize?: number;
  /** Called after each batch with the number of images done. */
  onBatch?: (done: number, total: number) => void;
}

/**
 * `[n, 224, 224, 3]`-style input for `model` from images of `set` (NHWC, bilinear resize, pixel values mapped
 * from [0, 255] to [-1, 1] as MobileNet expects). The caller disposes it.
 */
export function resizedImageBatch(set: Cifar10Set, indices: ArrayLike<number>, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const pixels = new Float32Array(indices.length * 3072);
    for (let b = 0; b < indices.length; b++) {
      const image = set.image(indices[b]); // HWC uint8
      for (let p = 0; p < 3072; p++) pixels[b * 3072 + p] = image[p] / 127.5 - 1;
    }
    const small = tf.tensor4d(pixels, [indices.length, 32, 32, 3]);
    return tf.image.resizeBilinear(small, [size, size]);
  });
}

/** Run every image of `set` through `model` (input `[null, s, s, 3]`), returning its outputs stacked: `[set.size, ...]`. */
export function imageFeatures(model: tf.LayersModel, set: Cifar10Set, options: ImageFeatureOptions = {}): tf.Tensor {
  const size = model.inputs[0].shape[1];
  if (size == null || model.inputs[0].shape[2] !== size) throw new Error(`${model.name} needs a square input of fixed size`);
  if (set.size === 0) throw new Error('no images to run');
  const batchSize = options.batchSize ?? 64;
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < set.size; start += batchSize) {
    const indices = Int32Array.from({ length: Math.min(batchSize, set.size - start) }, (_, i) => start + i);
    parts.push(
      tf.tidy(() => {
        const input = resizedImageBatch(set, indices, size);
        return model.predict(input) as tf.Tensor;
      }),
    );
    options.onBatch?.(start + indices.length, set.size);
  }
  if (parts.length === 1) return parts[0];
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

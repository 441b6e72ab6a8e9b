/**
 * Tile's gradient as one Reshape and one Sum, on every backend.
 *
 * Why: TF.js differentiates Tile by slicing dy once per repetition and adding the slices up, one Slice and one Add
 * per tile. tf.layers.layerNormalization tiles its statistics and its gamma and beta over the batch and the
 * sequence, so a Transformer encoder of notebook 05's size ([64, 64, 64] activations, 4 layer norms) ran 33,280
 * Slices and as many Adds per training step: a quarter of the step. The tiled output's index along an axis is
 * rep * size + i, so reshaping dy to [r0, x0, r1, x1, ...] and summing over the r axes gives the same gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { CourseGradientConfig } from './course-kernel';

export const TILE_GRADIENT: CourseGradientConfig = {
  kernelName: tf.Tile,
  make: (stock) => ({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      if (Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const reps = (attrs as unknown as { reps: number[] }).reps;
      return {
        x: () => {
          const split = x.shape.flatMap((size, axis) => [reps[axis], size]);
          const repAxes = reps.map((_, axis) => 2 * axis);
          return tf.sum(tf.reshape(dy, split), repAxes);
        },
      };
    },
  }),
};

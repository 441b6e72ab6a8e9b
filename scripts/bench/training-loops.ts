/**
 * The two ways the benchmark trains one epoch: Keras-style `model.fit`, and a lean loop of `optimizer.minimize`
 * calls that reads nothing back to JS between batches (fit syncs the loss of every batch for its callbacks).
 * Both use the course's Adam, which is TF.js's own when the fused update kernel is not registered (the "stock"
 * variant).
 */
import * as tf from '@tensorflow/tfjs';
import { adam } from '@dl-course/lib/train';
import { ReferenceModel } from './models';
import { batchOf, SyntheticSet } from './synthetic';

export type TrainingLoop = 'fit' | 'custom';

export interface EpochRunner {
  /** Train one epoch over the first `examples` rows; resolves when the backend has finished. */
  epoch(examples: number): Promise<void>;
  dispose(): void;
}

export function epochRunner(reference: ReferenceModel, data: SyntheticSet, loop: TrainingLoop, batchSize: number): EpochRunner {
  const { model } = reference;
  if (loop === 'fit') {
    model.compile({ optimizer: adam(1e-3), loss: reference.perExample });
    return {
      async epoch(examples) {
        // A set smaller than the epoch is gone through several times.
        for (let done = 0; done < examples; done += data.size) {
          const count = Math.min(data.size, examples - done);
          const xs = batchOf(data.xs, 0, count);
          const ys = tf.slice(data.ys, 0, count);
          await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
          tf.dispose([xs, ys]);
        }
      },
      dispose() {
        model.optimizer?.dispose();
      },
    };
  }
  const optimizer = adam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    async epoch(examples) {
      for (let done = 0, count = 0; done < examples; done += count) {
        const start = done % data.size; // a set smaller than the epoch is gone through several times
        count = Math.min(batchSize, examples - done, data.size - start);
        tf.tidy(() => {
          const xs = batchOf(data.xs, start, count);
          const ys = tf.slice(data.ys, start, count);
          optimizer.minimize(() => reference.loss(ys, model.apply(xs, { training: true }) as tf.Tensor), false, variables);
        });
      }
      // The backends used here run synchronously, but a GPU backend would queue: wait for the last update.
      await variables[0].data();
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

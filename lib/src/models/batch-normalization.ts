/**
 * tf.layers.batchNormalization with a faster training pass: the same layer (weights, names, config, inference,
 * serialisation as 'BatchNormalization', so a saved model loads in plain TF.js), whose training call on
 * channels-last inputs runs the course's closed-form op (ops/batch-norm-training.ts) instead of differentiating
 * through tf.moments.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormInTraining } from '../ops';
import { layerWeight, stockLayerClass } from './stock-layer';

export type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
const StockBatchNormalizationClass = stockLayerClass<BatchNormalizationArgs, ReturnType<typeof tf.layers.batchNormalization>>('BatchNormalization');

interface BatchNormConfig {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

export class CourseBatchNormalization extends StockBatchNormalizationClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { axis, momentum, epsilon, center, scale } = this.getConfig() as unknown as BatchNormConfig;
    const channelsLast = axis === -1 || axis === x.rank - 1;
    if (kwargs.training !== true || !channelsLast || !center || !scale) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [gamma, beta, movingMean, movingVariance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((name) => layerWeight(this, name));
      const { y, mean, variance } = batchNormInTraining(x, gamma.read() as tf.Tensor1D, beta.read() as tf.Tensor1D, epsilon);
      // The moving averages as the stock layer keeps them: v <- v - (v - batch value) * (1 - momentum).
      for (const [average, value] of [[movingMean, mean], [movingVariance, variance]] as const) {
        tf.tidy(() => {
          average.write(tf.sub(average.read(), tf.mul(tf.sub(average.read(), value), 1 - momentum)));
        });
      }
      return y;
    });
  }
}

/** A batch-normalisation layer: tf.layers.batchNormalization's arguments and behaviour, trained faster. */
export function batchNormalization(args: BatchNormalizationArgs = {}): CourseBatchNormalization {
  return new CourseBatchNormalization(args);
}

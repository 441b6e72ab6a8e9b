/**
 * tf.layers.layerNormalization computed without tiling: the same layer (weights, names, config, serialisation as
 * 'LayerNormalization', so a saved model loads in plain TF.js) whose call over the last axis runs the course's op
 * (ops/layer-norm.ts: broadcasting, closed-form gradient). The stock layer materialises its statistics, gamma and
 * beta at the input's full shape on every call: 17% of a training step of notebook 05's Transformer on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '../ops';
import { layerWeight, stockLayerClass } from './stock-layer';

export type LayerNormalizationArgs = NonNullable<Parameters<typeof tf.layers.layerNormalization>[0]>;
const StockLayerNormalizationClass = stockLayerClass<LayerNormalizationArgs, ReturnType<typeof tf.layers.layerNormalization>>('LayerNormalization');

interface LayerNormConfig {
  axis: number | number[];
  epsilon: number;
  center: boolean;
  scale: boolean;
}

export class CourseLayerNormalization extends StockLayerNormalizationClass {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { axis, epsilon, center, scale } = this.getConfig() as unknown as LayerNormConfig;
    const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.rank : a));
    if (axes.length !== 1 || axes[0] !== x.rank - 1 || !center || !scale) return super.call(inputs, kwargs);
    const [gamma, beta] = ['gamma', 'beta'].map((name) => layerWeight(this, name).read() as tf.Tensor1D);
    return layerNorm(x, gamma, beta, epsilon);
  }
}

/** A layer-normalisation layer: tf.layers.layerNormalization's arguments and behaviour, without tiling. */
export function layerNormalization(args: LayerNormalizationArgs = {}): CourseLayerNormalization {
  return new CourseLayerNormalization(args);
}

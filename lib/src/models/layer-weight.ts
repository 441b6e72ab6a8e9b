import * as tf from '@tensorflow/tfjs';

/** A layer's weight by the name it was added with ('gamma'), however the layer was scoped ('block1_norm/gamma'). */
export function layerWeight(layer: tf.layers.Layer, name: string): tf.LayerVariable {
  const found = layer.weights.find((w) => w.originalName.split('/').pop() === name);
  if (found === undefined) throw new Error(`${layer.name}: no weight named ${name}`);
  return found;
}

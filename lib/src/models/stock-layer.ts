/** What the course's subclasses of TF.js layers need from tfjs-layers, which exports the factories, not the classes. */
import * as tf from '@tensorflow/tfjs';

/** The class tfjs-layers registered for serialisation under `className` (looked up, not instantiated). */
export function stockLayerClass<Args, L extends tf.layers.Layer>(className: string): new (args?: Args) => L {
  const registered = (tf.serialization.SerializationMap.getMap() as unknown as { classNameMap: Record<string, [unknown, unknown]> }).classNameMap[className];
  if (registered === undefined) throw new Error(`tfjs-layers has no layer class named ${className}`);
  return registered[0] as new (args?: Args) => L;
}

/** A layer's weight by the name it was added with ('gamma'), however the layer was scoped ('block1_norm/gamma'). */
export function layerWeight(layer: tf.layers.Layer, name: string): tf.LayerVariable {
  const found = layer.weights.find((w) => w.originalName.split('/').pop() === name);
  if (found === undefined) throw new Error(`${layer.name}: no weight named ${name}`);
  return found;
}

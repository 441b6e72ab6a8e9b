/**
 * A frozen convolutional network for inference only, with each batch norm folded into the convolution before it and
 * the ReLU / ReLU6 after it fused into the same call. In inference mode a batch norm is a per-channel scale and shift,
 * `gamma (z - mean) / sqrt(var + eps) + beta`, and the convolution before it is linear in its filter, so
 *   filter' = filter * s,  bias' = (bias - mean) * s + beta,  with s = gamma / sqrt(var + eps) per output channel,
 * gives the same result in one pass; the activation then runs inside the convolution kernel. For a frozen MobileNet
 * this removes three element-wise sweeps over every feature map (batch norm, ReLU, the clip at 6).
 */
import * as tf from '@tensorflow/tfjs';

type Activation = 'linear' | 'relu' | 'relu6';

/** One step of the folded network: a fused convolution, or a layer run as it is (inference mode). */
type Step =
  | { kind: 'conv'; depthwise: boolean; filter: tf.Tensor4D; bias: tf.Tensor1D; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number]; activation: Activation; layers: string[] }
  | { kind: 'layer'; layer: tf.layers.Layer; layers: string[] };

export class FoldedInference {
  private constructor(private readonly steps: Step[]) {}

  /**
   * Fold `model`, a chain of layers (each layer's input is the previous layer's output, as in MobileNet v1). The
   * convolutions' weights are copied (the folded network does not follow later changes to them); the other layers
   * run as they are, so `model` must outlive the folded network. {@link dispose} frees the copies only.
   */
  static fromModel(model: tf.LayersModel): FoldedInference {
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    layers.forEach((layer, i) => {
      const inbound = (layer.inboundNodes[0]?.inboundLayers ?? []) as tf.layers.Layer[];
      const follows = inbound.length === 1 && (i === 0 ? inbound[0].getClassName() === 'InputLayer' : inbound[0] === layers[i - 1]);
      if (layer.inboundNodes.length !== 1 || !follows) {
        throw new Error(`FoldedInference needs a chain of layers: '${layer.name}' does not take the previous layer's output alone`);
      }
    });
    const steps: Step[] = [];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const kind = layer.getClassName();
      if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') {
        steps.push({ kind: 'layer', layer, layers: [layer.name] });
        continue;
      }
      const config = layer.getConfig();
      const names = [layer.name];
      let activation = activationOf(config.activation);
      const [kernel, ownBias] = layer.getWeights();
      let filter = tf.clone(kernel) as tf.Tensor4D;
      const outChannels = kind === 'Conv2D' ? filter.shape[3] : filter.shape[2] * filter.shape[3];
      let bias = (config.useBias ? tf.clone(ownBias) : tf.zeros([outChannels])) as tf.Tensor1D;
      const next = layers[i + 1];
      if (activation === 'linear' && next?.getClassName() === 'BatchNormalization') {
        [filter, bias] = foldBatchNorm(next, filter, bias, kind === 'DepthwiseConv2D');
        names.push(next.name);
        i++;
      }
      const after = layers[i + 1];
      const fused = activation === 'linear' && after ? fusableActivation(after) : undefined;
      if (fused) {
        activation = fused;
        names.push(after.name);
        i++;
      }
      if (activation === undefined) throw new Error(`FoldedInference: '${layer.name}' has an activation it cannot fuse (${String(config.activation)})`);
      const pair = (v: unknown) => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]) as [number, number];
      steps.push({
        kind: 'conv', depthwise: kind === 'DepthwiseConv2D', filter, bias, activation, layers: names,
        strides: pair(config.strides), pad: config.padding as 'same' | 'valid', dilations: pair(config.dilationRate ?? 1),
      });
    }
    return new FoldedInference(steps);
  }

  /** How the layers were grouped: one entry per call, naming the layers it replaces. */
  get plan(): string[][] {
    return this.steps.map((s) => s.layers);
  }

  /** The network's output for `x` (no gradients are meant to flow through it: it is frozen). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const step of this.steps) {
        if (step.kind === 'layer') {
          y = step.layer.apply(y, { training: false }) as tf.Tensor;
        } else {
          // The fused kernels directly: inside a gradient tape (a training step whose frozen part this is),
          // tf.fused.* would split into convolution, bias add and activation again.
          const attrs = { strides: step.strides, pad: step.pad, dilations: step.dilations, dataFormat: 'NHWC', activation: step.activation };
          y = tf.engine().runKernel(step.depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D', { x: y, filter: step.filter, bias: step.bias }, attrs as never) as tf.Tensor;
        }
      }
      return y;
    });
  }

  dispose(): void {
    for (const step of this.steps) if (step.kind === 'conv') tf.dispose([step.filter, step.bias]);
  }
}

function activationOf(identifier: unknown): Activation | undefined {
  const name = typeof identifier === 'string' ? identifier.toLowerCase() : identifier === undefined || identifier === null ? 'linear' : undefined;
  return name === 'linear' || name === 'relu' || name === 'relu6' ? name : undefined;
}

/** The activation of a layer that is only an activation (Activation('relu' | 'relu6'), ReLU() or ReLU(6)), else undefined. */
function fusableActivation(layer: tf.layers.Layer): Activation | undefined {
  const config = layer.getConfig();
  if (layer.getClassName() === 'Activation') {
    const a = activationOf(config.activation);
    return a === 'linear' ? undefined : a;
  }
  if (layer.getClassName() === 'ReLU') {
    const max = config.maxValue;
    return max === undefined || max === null ? 'relu' : max === 6 ? 'relu6' : undefined;
  }
  return undefined;
}

/** Fold an inference-mode batch norm (on the last axis) into a filter and bias: see the module comment. */
function foldBatchNorm(bn: tf.layers.Layer, filter: tf.Tensor4D, bias: tf.Tensor1D, depthwise: boolean): [tf.Tensor4D, tf.Tensor1D] {
  const config = bn.getConfig();
  const axis = config.axis as number | number[];
  if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) {
    throw new Error(`FoldedInference: batch norm '${bn.name}' normalises axis ${JSON.stringify(axis)}, not the channels`);
  }
  const weight = (suffix: string) => bn.weights.find((w) => w.originalName.endsWith(suffix))?.read();
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(weight);
  if (!mean || !variance) throw new Error(`FoldedInference: batch norm '${bn.name}' has no moving statistics`);
  return tf.tidy(() => {
    const scale = tf.rsqrt(tf.add(variance, config.epsilon as number)).mul(gamma ?? 1) as tf.Tensor1D;
    // A depthwise filter [h, w, in, multiplier] makes output channel c * multiplier + m.
    const shaped = depthwise ? scale.reshape([1, 1, filter.shape[2], filter.shape[3]]) : scale;
    const folded = [tf.mul(filter, shaped) as tf.Tensor4D, tf.sub(bias, mean).mul(scale).add(beta ?? 0) as tf.Tensor1D] as [tf.Tensor4D, tf.Tensor1D];
    tf.dispose([filter, bias]);
    return folded;
  });
}

/**
 * Transfer learning (lesson 04): a pre-trained MobileNet v1 cut before its classifier is a frozen feature
 * extractor; a small new head learns the new classes; later the last blocks are unfrozen for fine-tuning.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { requireDatasetFile } from '../data/paths';
import { fileSystemHandler } from './file-system-handler';
import { InitializerSeeds } from './initializer-seeds';
import { DropoutSeeds } from './seeded-dropout';
import { OutputActivation, assertDropoutRate, assertPositiveInteger, classifierOutputLayer } from './classifier-output';

/** The layer the course cuts MobileNet v1 at: the last depthwise-separable block's ReLU (7x7x256 for alpha 0.25). */
export const MOBILENET_CUT_LAYER = 'conv_pw_13_relu';

export interface MobileNetExtractorOptions {
  /** Layer whose output becomes the features (default `conv_pw_13_relu`). */
  cutAt?: string;
  /** Leave the extractor trainable (default false: frozen). */
  trainable?: boolean;
}

/**
 * Load the MobileNet layers model from `dir` (the folder holding `model.json`, e.g.
 * `$DATASETS_DIR/models/mobilenet_v1_0.25_224`) and return the sub-model from its input to `cutAt`.
 * Inputs are `[batch, 224, 224, 3]` RGB scaled to [-1, 1]. The layers after the cut are disposed.
 */
export async function loadMobileNetFeatureExtractor(dir: string, options: MobileNetExtractorOptions = {}): Promise<tf.LayersModel> {
  // a missing model says how to get it (datasets/mobilenet.json), not just that a file was not found
  requireDatasetFile(path.join(dir, 'model.json'), 'mobilenet');
  const cutAt = options.cutAt ?? MOBILENET_CUT_LAYER;
  const full = await tf.loadLayersModel(fileSystemHandler(path.join(dir, 'model.json')));
  let cutLayer: tf.layers.Layer;
  try {
    cutLayer = full.getLayer(cutAt);
  } catch {
    full.dispose();
    throw new Error(`MobileNet in ${dir} has no layer '${cutAt}'`);
  }
  const extractor = tf.model({ inputs: full.inputs, outputs: cutLayer.output as tf.SymbolicTensor, name: `mobilenet_to_${cutAt}` });
  const kept = new Set(extractor.layers);
  for (const layer of full.layers) if (!kept.has(layer)) layer.dispose();
  extractor.trainable = options.trainable ?? false;
  return extractor;
}

export interface TransferHeadOptions {
  /** Shape of one feature example, e.g. `[7, 7, 256]` (MobileNet cut) or `[2048]` (sentence-pair features). */
  inputShape: number[];
  /** Output units: 1 (sigmoid) or the number of classes (softmax). */
  outputs: number;
  /** Hidden ReLU layers (default `[]`: logistic/softmax regression). */
  hidden?: number[];
  /** How image feature maps become a vector: `'average'` (global average pooling, default) or `'flatten'`. */
  pooling?: 'average' | 'flatten';
  /** Dropout before each dense layer (default 0). */
  dropout?: number;
  /** L2 penalty on the kernels (default none). */
  l2?: number;
  outputActivation?: OutputActivation;
  /** Seed of the weight initialisers (default `courseSeed()`). */
  seed?: number;
}

/** Build a new (uncompiled) classification head over pre-computed features. */
export function buildTransferHead(options: TransferHeadOptions): tf.Sequential {
  const { inputShape, outputs, hidden = [], pooling = 'average', dropout = 0, l2 } = options;
  if (inputShape.length === 0) throw new Error('inputShape must not be empty');
  inputShape.forEach((d, i) => assertPositiveInteger(`inputShape[${i}]`, d));
  assertDropoutRate('dropout', dropout);
  const seeds = new InitializerSeeds(options.seed);
  const dropouts = new DropoutSeeds(options.seed);
  const regularizer = () => (l2 ? tf.regularizers.l2({ l2 }) : undefined);

  const head = tf.sequential({ name: 'transfer_head' });
  head.add(tf.layers.inputLayer({ inputShape, name: 'features' }));
  if (inputShape.length === 3) {
    head.add(pooling === 'average' ? tf.layers.globalAveragePooling2d({ name: 'feature_pool' }) : tf.layers.flatten({ name: 'feature_flatten' }));
  } else if (inputShape.length !== 1) {
    head.add(tf.layers.flatten({ name: 'feature_flatten' }));
  }
  hidden.forEach((units, i) => {
    if (dropout > 0) head.add(dropouts.layer(dropout, `head_dropout_${i + 1}`));
    head.add(
      tf.layers.dense({ units, activation: 'relu', kernelInitializer: seeds.heNormal(), kernelRegularizer: regularizer(), name: `head_dense_${i + 1}` }),
    );
  });
  if (dropout > 0) head.add(dropouts.layer(dropout, 'head_dropout_out'));
  head.add(classifierOutputLayer(outputs, seeds, { activation: options.outputActivation, l2, name: 'head_output' }));
  return head;
}

/** Chain a feature extractor and a head into one model (image -> prediction), for fine-tuning and deployment. */
export function buildTransferModel(extractor: tf.LayersModel, head: tf.LayersModel): tf.LayersModel {
  if (extractor.inputs.length !== 1 || extractor.outputs.length !== 1) throw new Error('the extractor must have one input and one output');
  const output = head.apply(extractor.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: extractor.inputs, outputs: output, name: `${extractor.name}_with_head` });
}

/**
 * Freeze every layer before `layerName` and unfreeze `layerName` and all later layers (in the model's layer order).
 * Nested models (e.g. an extractor inside a transfer model) are searched too. Recompile the model afterwards:
 * TF.js reads the trainable weights when `compile` is called. Returns the number of layers with weights that now
 * train.
 */
export function setTrainableFrom(model: tf.LayersModel, layerName: string): number {
  const layers = flattenLayers(model);
  const start = layers.findIndex((l) => l.name === layerName);
  if (start < 0) throw new Error(`${model.name} has no layer '${layerName}'`);
  // A nested model's own flag overrides its layers, so open them all before setting each layer.
  for (const l of model.layers) l.trainable = true;
  layers.forEach((l, i) => (l.trainable = i >= start));
  return layers.slice(start).filter((l) => l.weights.length > 0).length;
}

function flattenLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? flattenLayers(l) : [l]));
}

/** The layer before MobileNet v1's last depthwise-separable block (7x7x256 for alpha 0.25). */
export const MOBILENET_LAST_BLOCK_INPUT = 'conv_pw_12_relu';

export interface MobileNetSplit {
  /** From the image to `splitAt`: run once per image and cache its output. */
  base: tf.LayersModel;
  /** From `splitAt`'s output to `cutAt` (the same layer objects and weights as the loaded network): fine-tune this. */
  top: tf.LayersModel;
}

/**
 * Load MobileNet (see {@link loadMobileNetFeatureExtractor}) and split it into a frozen `base` (image -> `splitAt`)
 * and a trainable `top` (`splitAt`'s output -> `cutAt`, default `conv_pw_13_relu`). Fine-tuning the top blocks then
 * costs one pass of the base per image, not one per epoch. MobileNet v1 is a plain chain of layers, so the top is
 * the layers after `splitAt` applied in order to a new input.
 */
export async function loadMobileNetSplit(dir: string, options: { splitAt?: string; cutAt?: string } = {}): Promise<MobileNetSplit> {
  const splitAt = options.splitAt ?? MOBILENET_LAST_BLOCK_INPUT;
  const extractor = await loadMobileNetFeatureExtractor(dir, { cutAt: options.cutAt, trainable: false });
  const names = extractor.layers.map((l) => l.name);
  const splitIndex = names.indexOf(splitAt);
  if (splitIndex < 0 || splitIndex === names.length - 1) {
    extractor.dispose();
    throw new Error(`cannot split MobileNet at '${splitAt}': it must be a layer before '${names[names.length - 1]}'`);
  }
  const splitLayer = extractor.layers[splitIndex];
  const base = tf.model({ inputs: extractor.inputs, outputs: splitLayer.output as tf.SymbolicTensor, name: `mobilenet_to_${splitAt}` });
  base.trainable = false;
  const input = tf.input({ shape: (splitLayer.outputShape as number[]).slice(1), name: `${splitAt}_features` });
  let x: tf.SymbolicTensor = input;
  for (const layer of extractor.layers.slice(splitIndex + 1)) {
    layer.trainable = true;
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  const top = tf.model({ inputs: input, outputs: x, name: `mobilenet_${splitAt}_to_${names[names.length - 1]}` });
  // Applying the top's layers again counted a second owner for each (TF.js disposes a layer's weights when its count
  // reaches 0); the extractor, thrown away here, was the first. Drop its count so that `top.dispose()` frees them.
  for (const layer of extractor.layers.slice(splitIndex + 1)) layer.dispose();
  return { base, top };
}

/**
 * The models the lessons train, built with the library's own builders, at the sizes the notebooks use; their
 * PyTorch twins are in torch_models.py (the trainable parameter counts must agree: the bench prints both).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { dataDir } from '@dl-course/lib/config';
import { FoldedInference, buildCifarCnn, buildTransferHead, buildTransformerClassifier, loadMobileNetSplit } from '@dl-course/lib/models';

/** Lesson 02's CIFAR-10 CNN with its defaults (three blocks of two conv-BN-ReLU layers; 288,746 parameters). */
export function lessonCifarCnn(): tf.LayersModel {
  return buildCifarCnn();
}

/** Notebook 05's MRPC classifier ('full' profile): vocabulary 9,912 words, 64 tokens, d_model 64, 4 heads, FFN 128, 2 blocks. */
export const TRANSFORMER_SIZE = { vocabSize: 9912, sequenceLength: 64, modelDim: 64, numHeads: 4, feedForwardDim: 128, numLayers: 2 };

export function lessonTransformer(): tf.LayersModel {
  return buildTransformerClassifier({ ...TRANSFORMER_SIZE, outputs: 1, dropout: 0.1 });
}

/** Notebook 04's input size: MobileNet's own 224x224 (block 13 then sees 7x7x256 feature maps). */
export const MOBILENET_IMAGE = 224;

export function mobileNetDir(): string {
  return path.join(dataDir(), 'models', 'mobilenet_v1_0.25_224');
}

/** Why `model` cannot be built here (MobileNet's files missing), or undefined. */
export function missingFiles(model: string): string | undefined {
  const file = path.join(mobileNetDir(), 'model.json');
  return model === 'mobilenet' && !fs.existsSync(file) ? `${file} is missing (set DATASETS_DIR)` : undefined;
}

/**
 * Notebook 04's fine-tuning as one model: image -> frozen MobileNet v1 0.25 up to block 12 (inference mode, no
 * trainable weights) -> block 13 (trained) -> a new softmax head over 10 classes. The notebook caches the frozen
 * part's output; the bench runs it every step (so does the PyTorch twin), as fine-tuning without a cache would, with
 * its batch norms folded into the convolutions and ReLU6 fused (`FoldedInference`; the twin folds them too).
 */
export async function lessonMobileNetFineTune(): Promise<tf.LayersModel> {
  const { base, top } = await loadMobileNetSplit(mobileNetDir());
  const image = tf.input({ shape: [MOBILENET_IMAGE, MOBILENET_IMAGE, 3], name: 'image' });
  const features = new FrozenFeatures(base).apply(image) as tf.SymbolicTensor;
  const head = buildTransferHead({ inputShape: top.outputs[0].shape.slice(1) as number[], outputs: 10 });
  const output = head.apply(top.apply(features) as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: output, name: 'mobilenet_fine_tune' });
}

/** A frozen model run in inference mode (batch norm with its moving statistics, as when features are cached), folded. */
class FrozenFeatures extends tf.layers.Layer {
  static className = 'BenchFrozenFeatures';
  private readonly folded: FoldedInference;
  constructor(private readonly base: tf.LayersModel) {
    super({ name: `frozen_${base.name}`, trainable: false });
    this.folded = FoldedInference.fromModel(base);
  }
  override computeOutputShape(): tf.Shape {
    return this.base.outputs[0].shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.folded.apply(Array.isArray(inputs) ? inputs[0] : inputs);
  }
  override dispose() {
    const result = super.dispose();
    this.folded.dispose();
    this.base.dispose();
    return result;
  }
}

/** Trainable parameters (what both sides' counts compare; batch-norm moving statistics are not trained). */
export function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

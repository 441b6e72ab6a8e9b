/**
 * The reference models of the benchmark and the profiler, built the same way for every backend.
 * The `course` variant uses what the course library offers for the same maths: its fused LSTM layer instead of
 * tf.layers.lstm, its cross-entropy (as `compileClassifier` compiles) instead of tf.layers'; `stock` uses TF.js's.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedLstm } from '@dl-course/lib/models';
import { categoricalCrossentropy } from '@dl-course/lib/train';
import { lessonCifarCnn, lessonMobileNetFineTune, lessonTransformer } from './lesson-models';

export const REFERENCE_MODELS = ['mlp', 'cnn', 'lstm', 'cifar-cnn', 'siamese-bilstm', 'transformer', 'mobilenet'] as const;
export type ReferenceModelName = (typeof REFERENCE_MODELS)[number];
export type ModelVariant = 'stock' | 'course';

export interface ReferenceModel {
  model: tf.LayersModel;
  /** Loss of one batch (the mean of `perExample`). */
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  /** The loss to compile with: per-example losses, or tf.layers' loss by name. */
  perExample: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) | 'categoricalCrossentropy' | 'binaryCrossentropy';
}

export function parseModelNames(list: string): ReferenceModelName[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!(REFERENCE_MODELS as readonly string[]).includes(name)) {
      throw new Error(`Unknown model '${name}'; choose from ${REFERENCE_MODELS.join(', ')}`);
    }
  }
  return names as ReferenceModelName[];
}

const mean = (perExample: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) => (yTrue: tf.Tensor, yPred: tf.Tensor) =>
  tf.mean(perExample(yTrue, yPred)) as tf.Scalar;

function losses(name: ReferenceModelName, variant: ModelVariant): Pick<ReferenceModel, 'loss' | 'perExample'> {
  if (name === 'lstm' || name === 'siamese-bilstm' || name === 'transformer') {
    return { loss: mean(tf.metrics.binaryCrossentropy), perExample: 'binaryCrossentropy' };
  }
  return variant === 'course'
    ? { loss: mean(categoricalCrossentropy), perExample: categoricalCrossentropy }
    : { loss: mean(tf.metrics.categoricalCrossentropy), perExample: 'categoricalCrossentropy' };
}

/** Any reference model; 'mobilenet' loads MobileNet from DATASETS_DIR, so it is asynchronous. */
export async function loadReferenceModel(name: ReferenceModelName, variant: ModelVariant = 'course'): Promise<ReferenceModel> {
  if (name !== 'mobilenet') return buildReferenceModel(name, variant);
  return { model: await lessonMobileNetFineTune(), ...losses(name, variant) };
}

/** The reference models built without I/O (all but 'mobilenet': use loadReferenceModel). */
export function buildReferenceModel(name: ReferenceModelName, variant: ModelVariant = 'course'): ReferenceModel {
  const lstm = variant === 'course' ? fusedLstm : tf.layers.lstm;
  const model = (() => {
    switch (name) {
      case 'mlp':
        return mlp();
      case 'cnn':
        return mnistCnn(0);
      case 'lstm':
        return embeddingLstm(lstm);
      case 'cifar-cnn':
        return lessonCifarCnn();
      case 'siamese-bilstm':
        return siameseBilstm(lstm);
      case 'transformer':
        return lessonTransformer();
      case 'mobilenet':
        throw new Error("'mobilenet' loads its weights: use loadReferenceModel");
    }
  })();
  return { model, ...losses(name, variant) };
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/** conv16-pool-conv32-pool-dense64; `dropout` > 0 adds the dropout used for the time-to-accuracy run. */
export function mnistCnn(dropout: number): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
  ];
  if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout }));
  layers.push(tf.layers.dense({ units: 64, activation: 'relu' }));
  if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout }));
  layers.push(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return tf.sequential({ layers });
}

type LstmFactory = typeof fusedLstm | typeof tf.layers.lstm;

function recurrent(lstm: LstmFactory, units: number, goBackwards = false): tf.layers.Layer {
  // Sigmoid gates (as PyTorch); tf.layers.lstm defaults to hardSigmoid.
  return lstm({ units, recurrentActivation: 'sigmoid', goBackwards });
}

function embeddingLstm(lstm: LstmFactory): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 5000, outputDim: 64, inputLength: 40 }),
      recurrent(lstm, 64),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

export const SIAMESE_VOCAB = 10000;
export const SIAMESE_LENGTH = 40;

/** MRPC-style pair model: shared Embedding(100) + BiLSTM(64) encoder, features [u, v, |u-v|, u*v], sigmoid head. */
function siameseBilstm(lstm: LstmFactory): tf.LayersModel {
  const left = tf.input({ shape: [SIAMESE_LENGTH], dtype: 'int32', name: 'left' });
  const right = tf.input({ shape: [SIAMESE_LENGTH], dtype: 'int32', name: 'right' });
  const embedding = tf.layers.embedding({ inputDim: SIAMESE_VOCAB, outputDim: 100 });
  const forward = recurrent(lstm, 64);
  const backward = recurrent(lstm, 64, true);
  const encode = (tokens: tf.SymbolicTensor) => {
    const embedded = embedding.apply(tokens) as tf.SymbolicTensor;
    return tf.layers
      .concatenate()
      .apply([forward.apply(embedded) as tf.SymbolicTensor, backward.apply(embedded) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  };
  const features = new PairFeatures().apply([encode(left), encode(right)]) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 64, activation: 'relu' }).apply(features) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: [left, right], outputs: out });
}

/** [u, v, |u - v|, u * v]: the usual sentence-pair features. */
class PairFeatures extends tf.layers.Layer {
  static className = 'BenchPairFeatures';
  override computeOutputShape(inputShape: tf.Shape[]): tf.Shape {
    const [u] = inputShape;
    return [u[0], 4 * (u[1] as number)];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [u, v] = inputs as tf.Tensor[];
    return tf.tidy(() => tf.concat([u, v, tf.abs(tf.sub(u, v)), tf.mul(u, v)], -1));
  }
}

/**
 * Tiny versions of every kind of model the course trains, for the wasm training checks. Each case builds its model
 * (or variables), makes a deterministic batch and defines its loss, so the same step can run on cpu and on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';

export interface TrainingBatch {
  x: tf.Tensor | tf.Tensor[];
  y: tf.Tensor;
}

export interface LayersTrainingCase {
  name: string;
  /** `dropout` is 0 when cpu and wasm gradients are compared (dropout masks are random). */
  build(dropout: number): tf.LayersModel;
  batch(): TrainingBatch;
  /** Loss as a function, for tf.variableGrads. */
  loss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar;
  /** Loss and optimizer names for model.compile/fit. */
  compileLoss: string;
  optimizer: () => tf.Optimizer;
}

const BATCH = 4;

function floats(seed: number, shape: number[], low = -1, high = 1): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => rng.uniform(low, high)), shape);
}

function ints(seed: number, shape: number[], n: number): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => rng.int(n)), shape, 'int32');
}

function oneHotLabels(seed: number, classes: number): tf.Tensor {
  return tf.oneHot(ints(seed, [BATCH], classes) as tf.Tensor1D, classes).toFloat();
}

const categorical = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar;
const sparseCategorical = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
  categorical(tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32') as tf.Tensor1D, yPred.shape[1] as number), yPred);
const binary = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mean(tf.metrics.binaryCrossentropy(yTrue, yPred)) as tf.Scalar;
const mse = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.meanSquaredError(yTrue, yPred) as tf.Scalar;

export const LAYERS_TRAINING_CASES: LayersTrainingCase[] = [
  {
    name: 'MLP with dropout and L2 (categorical crossentropy, sgd)',
    build: (dropout) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [10], units: 16, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }) }),
          tf.layers.dropout({ rate: dropout }),
          tf.layers.dense({ units: 8, activation: 'tanh' }),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    batch: () => ({ x: floats(1, [BATCH, 10]), y: oneHotLabels(2, 3) }),
    loss: categorical,
    compileLoss: 'categoricalCrossentropy',
    optimizer: () => tf.train.sgd(0.1),
  },
  {
    name: 'CNN: conv2d, maxPool, avgPool, batchNormalization, dropout (categorical crossentropy, adam)',
    build: (dropout) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', useBias: false }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.averagePooling2d({ poolSize: 2 }),
          tf.layers.dropout({ rate: dropout }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    batch: () => ({ x: floats(3, [BATCH, 12, 12, 1], 0, 1), y: oneHotLabels(4, 3) }),
    loss: categorical,
    compileLoss: 'categoricalCrossentropy',
    optimizer: () => tf.train.adam(0.01),
  },
  {
    name: 'MobileNet-style: strided conv, batchNorm, relu6, depthwise (multiplier 2), separable conv, globalAveragePooling (sparse CE, rmsprop)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
          tf.layers.batchNormalization(),
          tf.layers.reLU({ maxValue: 6 }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false }),
          tf.layers.batchNormalization(),
          tf.layers.reLU({ maxValue: 6 }),
          tf.layers.separableConv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
          tf.layers.conv2d({ filters: 5, kernelSize: 1 }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    batch: () => ({ x: floats(5, [BATCH, 16, 16, 3], 0, 1), y: ints(6, [BATCH, 1], 3).toFloat() }),
    loss: sparseCategorical,
    compileLoss: 'sparseCategoricalCrossentropy',
    optimizer: () => tf.train.rmsprop(0.01),
  },
  {
    name: 'Autoencoder: conv2d stride 2, conv2dTranspose, globalMaxPooling (mse, adamax)',
    build: () => {
      const input = tf.input({ shape: [8, 8, 2] });
      const down = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }).apply(input) as tf.SymbolicTensor;
      const up = tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }).apply(down) as tf.SymbolicTensor;
      // upSampling2d is checked separately: the cpu backend's ResizeNearestNeighborGrad is wrong (see the kernel tests).
      const pooled = tf.layers.globalMaxPooling2d({}).apply(down) as tf.SymbolicTensor;
      const flat = tf.layers.flatten().apply(up) as tf.SymbolicTensor;
      const merged = tf.layers.concatenate().apply([flat, pooled]) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    },
    batch: () => ({ x: floats(7, [BATCH, 8, 8, 2], 0, 1), y: floats(8, [BATCH, 2]) }),
    loss: mse,
    compileLoss: 'meanSquaredError',
    optimizer: () => tf.train.adamax(0.01),
  },
  {
    name: 'Embedding + LSTM (binary crossentropy, momentum)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7 }),
          tf.layers.lstm({ units: 5 }),
          tf.layers.dense({ units: 1, activation: 'sigmoid' }),
        ],
      }),
    batch: () => ({ x: ints(9, [BATCH, 7], 20).toFloat(), y: ints(10, [BATCH, 1], 2).toFloat() }),
    loss: binary,
    compileLoss: 'binaryCrossentropy',
    optimizer: () => tf.train.momentum(0.05, 0.9),
  },
  {
    name: 'Embedding + GRU (sequences) + SimpleRNN, masking (sparse CE, adagrad)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7, maskZero: true }),
          tf.layers.gru({ units: 5, returnSequences: true }),
          tf.layers.simpleRNN({ units: 4 }),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    batch: () => ({ x: ints(11, [BATCH, 7], 20).toFloat(), y: ints(12, [BATCH, 1], 3).toFloat() }),
    loss: sparseCategorical,
    compileLoss: 'sparseCategoricalCrossentropy',
    optimizer: () => tf.train.adagrad(0.1),
  },
  {
    name: 'Bidirectional LSTM + conv1d + globalMaxPooling1d + layerNormalization (categorical CE, adadelta)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7 }),
          tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN, mergeMode: 'concat' }),
          tf.layers.layerNormalization(),
          tf.layers.globalMaxPooling1d({}),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    batch: () => ({ x: ints(13, [BATCH, 7], 20).toFloat(), y: oneHotLabels(14, 3) }),
    loss: categorical,
    compileLoss: 'categoricalCrossentropy',
    optimizer: () => tf.train.adadelta(1.0),
  },
  {
    name: 'Utility layers: zeroPadding2d, cropping2d, permute, timeDistributed dense, repeatVector, dot attention (mse, sgd)',
    build: () => {
      const input = tf.input({ shape: [6, 6, 2] });
      const padded = tf.layers.zeroPadding2d({ padding: 1 }).apply(input) as tf.SymbolicTensor;
      const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'softplus' }).apply(padded) as tf.SymbolicTensor;
      const cropped = tf.layers.cropping2D({ cropping: [[1, 1], [1, 1]] }).apply(conv) as tf.SymbolicTensor; // [4, 4, 3]
      const sequence = tf.layers.reshape({ targetShape: [16, 3] }).apply(cropped) as tf.SymbolicTensor;
      const permuted = tf.layers.permute({ dims: [2, 1] }).apply(sequence) as tf.SymbolicTensor; // [3, 16]
      const projected = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }).apply(permuted) as tf.SymbolicTensor;
      const scores = tf.layers.dot({ axes: 2 }).apply([projected, projected]) as tf.SymbolicTensor; // [3, 3]
      const weights = tf.layers.softmax({ axis: -1 }).apply(scores) as tf.SymbolicTensor;
      const attended = tf.layers.dot({ axes: [2, 1] }).apply([weights, projected]) as tf.SymbolicTensor; // [3, 4]
      const pooled = tf.layers.globalAveragePooling1d({}).apply(attended) as tf.SymbolicTensor;
      const repeated = tf.layers.repeatVector({ n: 2 }).apply(pooled) as tf.SymbolicTensor;
      const out = tf.layers.flatten().apply(repeated) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    },
    batch: () => ({ x: floats(15, [BATCH, 6, 6, 2]), y: floats(16, [BATCH, 8]) }),
    loss: mse,
    compileLoss: 'meanSquaredError',
    optimizer: () => tf.train.sgd(0.05),
  },
];

/**
 * A one-block Transformer classifier written with raw ops (as the attention/Transformer lessons do): token and
 * positional embeddings by gather, scaled dot-product attention with a padding mask and a causal mask, softmax,
 * layer normalisation by moments, a GELU feed-forward (erf form and tanh form), einsum, residuals, mean pooling,
 * and a softmax cross-entropy loss.
 */
export function transformerVariables(seed: number): Record<string, tf.Variable> {
  const d = 8;
  const shapes: Record<string, number[]> = {
    tokens: [20, d],
    positions: [6, d],
    wq: [d, d],
    wk: [d, d],
    wv: [d, d],
    wo: [d, d],
    gamma: [d],
    beta: [d],
    w1: [d, 16],
    w2: [16, d],
    head: [d, 3],
  };
  const variables: Record<string, tf.Variable> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    variables[name] = tf.variable(floats(seed + i, shape, -0.5, 0.5), true, `${name}_${seed}_${Math.random()}`);
  });
  return variables;
}

export function transformerBatch(): { tokens: tf.Tensor2D; labels: tf.Tensor2D } {
  const tokens = ints(21, [BATCH, 6], 20) as tf.Tensor2D;
  return { tokens, labels: oneHotLabels(22, 3) as tf.Tensor2D };
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

const geluErf = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
const geluTanh = (x: tf.Tensor) =>
  tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));

export function transformerLoss(v: Record<string, tf.Variable>, tokens: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  const [batch, length] = tokens.shape;
  const d = v.tokens.shape[1] as number;
  const embedded = tf.add(tf.gather(v.tokens, tokens), tf.expandDims(tf.gather(v.positions, tf.range(0, length, 1, 'int32')), 0));
  const flat = tf.reshape(embedded, [batch * length, d]);
  const project = (w: tf.Tensor) => tf.reshape(tf.matMul(flat, w as tf.Tensor2D), [batch, length, d]);
  const q = project(v.wq);
  const k = project(v.wk);
  const value = project(v.wv);
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
  const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
  const padding = tf.expandDims(tf.cast(tf.notEqual(tokens, 0), 'float32'), 1);
  const allowed = tf.mul(causal, padding);
  scores = tf.where(tf.greater(allowed, 0), scores, tf.fill(scores.shape, -1e9));
  const weights = tf.softmax(scores);
  // (tf.einsum would read better, but TF.js has no gradient for Einsum on any backend.)
  const attended = tf.matMul(weights, value);
  const mixed = tf.reshape(tf.matMul(tf.reshape(attended, [batch * length, d]), v.wo), [batch, length, d]);
  const h = layerNorm(tf.add(embedded, mixed), v.gamma, v.beta);
  const hidden = tf.matMul(tf.reshape(h, [batch * length, d]), v.w1);
  const ff = tf.matMul(tf.add(geluErf(hidden), geluTanh(hidden)), v.w2);
  const out = tf.add(h, tf.reshape(ff, [batch, length, d]));
  const pooled = tf.mean(out, 1);
  const logits = tf.matMul(pooled as tf.Tensor2D, v.head);
  const ce = tf.losses.softmaxCrossEntropy(labels, logits);
  const aux = tf.losses.sigmoidCrossEntropy(tf.slice(labels, [0, 0], [batch, 1]), tf.slice(logits, [0, 0], [batch, 1]));
  return tf.add(ce, tf.mul(0.1, aux)) as tf.Scalar;
}

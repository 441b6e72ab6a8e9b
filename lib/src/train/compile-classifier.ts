/** Optimisers by name and a one-call compile for classifiers, so lessons compare SGD, momentum and Adam easily. */
import * as tf from '@tensorflow/tfjs';
import { adam } from './adam';
import { categoricalCrossentropy, sparseCategoricalCrossentropy } from './losses';

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'rmsprop' | 'adagrad';

/** Default learning rates, the usual starting points for each optimiser. */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.01,
  momentum: 0.01,
  nesterov: 0.01,
  adam: 0.001,
  rmsprop: 0.001,
  adagrad: 0.01,
};

/**
 * A fresh TF.js optimiser; `momentum` (default 0.9) applies to `momentum` and `nesterov`. Adam is the course's
 * (TF.js's Adam with a fused update on wasm).
 */
export function makeOptimizer(name: OptimizerName, learningRate = DEFAULT_LEARNING_RATES[name], options: { momentum?: number } = {}): tf.Optimizer {
  const momentum = options.momentum ?? 0.9;
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, momentum);
    case 'nesterov':
      return tf.train.momentum(learningRate, momentum, true);
    case 'adam':
      return adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    default:
      throw new Error(`unknown optimizer '${name as string}'; use one of ${Object.keys(DEFAULT_LEARNING_RATES).join(', ')}`);
  }
}

export interface CompileClassifierOptions {
  /** An optimiser name or instance (default `'adam'`). */
  optimizer?: OptimizerName | tf.Optimizer;
  /** Learning rate when `optimizer` is a name (default: {@link DEFAULT_LEARNING_RATES}). */
  learningRate?: number;
  /**
   * Label format for multi-class outputs: integer class ids (`'sparse'`, default, as the course's data loaders give
   * them) or one-hot rows (`'onehot'`).
   */
  labels?: 'onehot' | 'sparse';
}

/**
 * Compile with the loss that matches the output: one unit -> binary cross-entropy (labels 0/1), several ->
 * sparse categorical (integer ids, default) or categorical (one-hot) cross-entropy (the course's, see losses.ts: the
 * same values as TF.js's, the gradient in one kernel); accuracy as the metric ('acc' in the history).
 * Expects a sigmoid/softmax output, as the course builders make by default.
 */
export function compileClassifier(model: tf.LayersModel, options: CompileClassifierOptions = {}): tf.LayersModel {
  const optimizer =
    options.optimizer === undefined || typeof options.optimizer === 'string'
      ? makeOptimizer(options.optimizer ?? 'adam', options.learningRate)
      : options.optimizer;
  if (model.outputs.length !== 1) throw new Error('compileClassifier expects a model with one output');
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (units === 1) {
    model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  } else if ((options.labels ?? 'sparse') === 'sparse') {
    model.compile({ optimizer, loss: sparseCategoricalCrossentropy, metrics: [named('acc', tf.metrics.sparseCategoricalAccuracy)] });
    // tf.layers checks targets against the output's shape, [..., classes], unless the loss is its own sparse one (an
    // identity test): tell it that this model's targets are class ids, [..., 1].
    // (A Sequential model trains through the functional model inside it.)
    const trained = model instanceof tf.Sequential ? (model as unknown as { model: tf.LayersModel }).model : model;
    const internals = trained as unknown as { feedOutputShapes?: tf.Shape[] };
    internals.feedOutputShapes = internals.feedOutputShapes?.map((shape) => [...shape.slice(0, -1), 1]);
  } else {
    model.compile({ optimizer, loss: categoricalCrossentropy, metrics: [named('acc', tf.metrics.categoricalAccuracy)] });
  }
  return model;
}

/**
 * A metric function under the history key `name`. (With the course's loss functions TF.js cannot tell which accuracy
 * 'accuracy' means, so the metric is given as a function, named as TF.js names its own: 'acc', 'val_acc'.)
 */
function named(name: string, metric: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  const fn = (yTrue: tf.Tensor, yPred: tf.Tensor) => metric(yTrue, yPred);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/**
 * Throw a clear error when in-memory labels do not match the compiled loss (one-hot rows for a sparse loss, or
 * class ids for a categorical one); TF.js's own errors for this are obscure.
 */
export function checkLabelFormat(model: tf.LayersModel, y: tf.Tensor): void {
  const compiled = Array.isArray(model.loss) ? model.loss[0] : model.loss;
  const sparse = compiled === 'sparseCategoricalCrossentropy' || compiled === sparseCategoricalCrossentropy;
  const categorical = compiled === 'categoricalCrossentropy' || compiled === categoricalCrossentropy;
  // One-hot rows have the output's rank; class ids have one axis less (or a last axis of 1): [n] for [n, k],
  // [n, time] for a per-position output [n, time, k].
  const outputRank = model.outputs[0]?.shape.length ?? y.rank;
  const oneHotLike = y.rank >= 2 && y.rank === outputRank && (y.shape[y.rank - 1] ?? 1) > 1;
  if (sparse && oneHotLike) {
    throw new Error(`labels have shape [${y.shape}] (one-hot?) but the loss expects class ids: compile with labels: 'onehot'`);
  }
  if (categorical && !oneHotLike) {
    throw new Error(`labels have shape [${y.shape}] (class ids?) but the loss expects one-hot rows: compile with labels: 'sparse'`);
  }
}

/**
 * Labels as TF.js losses want them for this model: float32 (the course's loaders give int32 class ids, which the
 * sparse cross-entropy rejects), `[n, 1]` rather than `[n]` for a one-unit output, and `[n, time, 1]` for class ids
 * per position `[n, time]` of an output `[n, time, k]`. Returns `y` itself when it
 * is already right, else a new tensor the caller disposes.
 */
export function labelsForModel(model: tf.LayersModel, y: tf.Tensor): tf.Tensor {
  const outputShape = model.outputs[0].shape;
  const oneUnit = model.outputs.length === 1 && outputShape.length === 2 && outputShape[1] === 1;
  // class ids per position, [n, time] for an output [n, time, k]: tf.layers checks them as [n, time, 1]
  const idsPerPosition = !oneUnit && y.rank >= 2 && outputShape.length === y.rank + 1;
  if (y.dtype === 'float32' && !(oneUnit && y.rank === 1) && !idsPerPosition) return y;
  return tf.tidy(() => {
    const asFloat = y.dtype === 'float32' ? y : tf.cast(y, 'float32');
    if (idsPerPosition) return tf.expandDims(asFloat, -1);
    return oneUnit && y.rank === 1 ? tf.reshape(asFloat, [-1, 1]) : asFloat;
  });
}

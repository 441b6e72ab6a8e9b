/**
 * `fitModel`: one call that trains a compiled model on tensors or a `tf.data` dataset, with seeded shuffling,
 * validation, early stopping with best-weights restore, any extra callbacks (progress bars, live charts), and a
 * typed {@link TrainingHistory} with per-epoch wall time and throughput.
 */
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '../config';
import { EarlyStoppingOptions, EarlyStoppingWithRestore } from './early-stopping';
import { FeatureTensors, batchesPerEpoch, exampleCount, shuffledBatches } from './shuffled-batches';
import { EpochRecord, TrainingHistory } from './training-history';
import { getOptimizerLearningRate } from './learning-rate';
import { checkLabelFormat, labelsForModel } from './compile-classifier';

/** Features and labels held in memory. `x` is an array when the model has several inputs. */
export interface TrainingTensors {
  x: FeatureTensors;
  y: tf.Tensor;
}

/** A dataset of `{xs, ys}` batches (already batched). */
export type BatchDataset = tf.data.Dataset<tf.TensorContainer>;

/** A callback object (`tf.Callback`, `tf.CustomCallback`, ...) or the plain `{onEpochEnd, ...}` form. */
export type FitCallback = tf.Callback | tf.CustomCallback | tf.CustomCallbackArgs;

export interface FitOptions {
  epochs: number;
  /** Examples per batch for in-memory data (default 32); a dataset brings its own batches. */
  batchSize?: number;
  /**
   * Validation data: tensors, a batched dataset, or a fraction in (0, 1) of in-memory training data to hold out
   * (the last examples, before shuffling, as Keras does).
   */
  validation?: TrainingTensors | BatchDataset | number;
  /** Batch size for evaluating in-memory validation data (default max(batchSize, 256)). */
  validationBatchSize?: number;
  /** Extra callbacks, called after the history recorder and early stopping; none is fine. */
  callbacks?: FitCallback | FitCallback[];
  /** Stop when the monitored value stops improving; `true` uses the defaults (val_loss, patience 3, restore). */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** Seed of the batch order (default `courseSeed()`). */
  seed?: number;
  /** Shuffle in-memory data every epoch (default true). */
  shuffle?: boolean;
  /** Batches per epoch for a dataset that repeats (optional; default: until the dataset ends). */
  batchesPerEpoch?: number;
  /** Print one line per epoch (default false). */
  verbose?: boolean;
}

/** Train a compiled model. Returns when training ends (all epochs, or early stopping). */
export async function fitModel(
  model: tf.LayersModel,
  data: TrainingTensors | BatchDataset,
  options: FitOptions,
): Promise<TrainingHistory> {
  const { epochs, batchSize = 32, shuffle = true, verbose = false } = options;
  if (model.optimizer == null) throw new Error(`compile ${model.name} first (for example with compileClassifier)`);
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new Error(`epochs must be a positive integer, got ${epochs}`);
  const seed = options.seed ?? courseSeed();
  const owned: tf.Tensor[] = []; // tensors this call creates (loss-ready labels, validation split) and must free
  const started = performance.now();
  const own = (made: tf.Tensor, original: tf.Tensor) => {
    if (made !== original) owned.push(made);
    return made;
  };

  let dataset: BatchDataset;
  let steps = options.batchesPerEpoch;
  let validationData: [FeatureTensors, tf.Tensor] | BatchDataset | undefined;
  const validation = options.validation;
  try {
    if (isDataset(data)) {
      if (typeof validation === 'number') throw new Error('a validation fraction needs in-memory data; pass validation tensors or a dataset');
      dataset = alignDatasetLabels(model, data);
    } else {
      let { x, y } = data;
      checkLabelFormat(model, y);
      y = own(labelsForModel(model, y), y);
      if (typeof validation === 'number') {
        const split = splitTail(x, y, validation);
        owned.push(...split.tensors);
        ({ x, y } = split.train);
        validationData = [split.validation.x, split.validation.y];
      }
      dataset = shuffledBatches(x, y, { batchSize, seed, shuffle });
      steps = batchesPerEpoch(exampleCount(x, y), batchSize);
    }
    if (validation !== undefined && typeof validation !== 'number') {
      validationData = isDataset(validation) ? alignDatasetLabels(model, validation) : [validation.x, validation.y];
    }
    if (Array.isArray(validationData)) validationData = [validationData[0], own(labelsForModel(model, validationData[1]), validationData[1])];

    const recorder = new HistoryRecorder(epochs, verbose);
    const stopper = makeEarlyStopping(options.earlyStopping, validationData !== undefined);
    try {
      await model.fitDataset(dataset, {
        epochs,
        batchesPerEpoch: steps,
        validationData: validationData as tf.data.Dataset<tf.TensorContainer>,
        validationBatchSize: options.validationBatchSize ?? Math.max(batchSize, 256),
        callbacks: [recorder, ...(stopper ? [stopper] : []), ...normaliseCallbacks(options.callbacks)],
        verbose: 0,
      });
    } catch (error) {
      // A callback that throws skips TF.js's last history sync, which frees the epoch's averaged loss and metrics.
      await model.history?.syncData();
      throw error;
    } finally {
      stopper?.release();
    }
    const records = recorder.records;
    const examples = records.reduce((sum, r) => sum + r.examples, 0);
    const trainSeconds = records.reduce((sum, r) => sum + r.trainSeconds, 0);
    return {
      epochs: records,
      metricNames: Object.keys(records[0]?.metrics ?? {}),
      totalSeconds: (performance.now() - started) / 1000,
      examplesPerSecond: trainSeconds > 0 ? examples / trainSeconds : 0,
      stoppedEarly: stopper !== undefined && stopper.stoppedEpoch >= 0,
      bestEpoch: stopper && stopper.bestEpoch >= 0 ? stopper.bestEpoch : undefined,
      restoredBestWeights: stopper?.restored ?? false,
    };
  } finally {
    tf.dispose(owned);
  }
}

/** One line per epoch, e.g. `epoch 3/10  loss 0.1234  acc 0.9612  val_loss 0.1500  val_acc 0.9550  4.2s  1530 ex/s`. */
export function formatEpochRecord(record: EpochRecord, totalEpochs: number): string {
  const parts = [`epoch ${record.epoch + 1}/${totalEpochs}`, `loss ${record.loss.toFixed(4)}`];
  for (const [k, v] of Object.entries(record.metrics)) parts.push(`${k} ${v.toFixed(4)}`);
  if (record.valLoss !== undefined) parts.push(`val_loss ${record.valLoss.toFixed(4)}`);
  for (const [k, v] of Object.entries(record.valMetrics ?? {})) parts.push(`val_${k} ${v.toFixed(4)}`);
  parts.push(`${record.seconds.toFixed(1)}s`, `${Math.round(record.examplesPerSecond)} ex/s`);
  return parts.join('  ');
}

/** Collects an {@link EpochRecord} per epoch from the logs TF.js passes to callbacks. */
class HistoryRecorder extends tf.Callback {
  readonly records: EpochRecord[] = [];
  private epochStart = 0;
  private lastBatchEnd = 0;
  private examples = 0;

  constructor(
    private readonly totalEpochs: number,
    private readonly verbose: boolean,
  ) {
    super();
  }

  override async onEpochBegin(): Promise<void> {
    this.epochStart = this.lastBatchEnd = performance.now();
    this.examples = 0;
  }

  override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
    this.examples += typeof logs?.size === 'number' ? logs.size : 0;
    this.lastBatchEnd = performance.now();
  }

  override async onEpochEnd(epoch: number, logs: tf.Logs = {}): Promise<void> {
    const now = performance.now();
    const metrics: Record<string, number> = {};
    const valMetrics: Record<string, number> = {};
    let loss = NaN;
    let valLoss: number | undefined;
    for (const [key, raw] of Object.entries(logs)) {
      const value = logValue(raw);
      if (key === 'loss') loss = value;
      else if (key === 'val_loss') valLoss = value;
      else if (key.startsWith('val_')) valMetrics[key.slice(4)] = value;
      else metrics[key] = value;
    }
    const trainSeconds = (this.lastBatchEnd - this.epochStart) / 1000;
    const record: EpochRecord = {
      epoch,
      loss,
      metrics,
      ...(valLoss !== undefined ? { valLoss, valMetrics } : {}),
      seconds: (now - this.epochStart) / 1000,
      trainSeconds,
      examples: this.examples,
      examplesPerSecond: trainSeconds > 0 ? this.examples / trainSeconds : 0,
      learningRate: getOptimizerLearningRate(this.model.optimizer),
    };
    this.records.push(record);
    if (this.verbose) console.log(formatEpochRecord(record, this.totalEpochs));
  }
}

function makeEarlyStopping(option: FitOptions['earlyStopping'], hasValidation: boolean): EarlyStoppingWithRestore | undefined {
  if (option === undefined || option === false) return undefined;
  const settings = option === true ? {} : option;
  const monitor = settings.monitor ?? (hasValidation ? 'val_loss' : 'loss');
  if (monitor.startsWith('val_') && !hasValidation) throw new Error(`early stopping on '${monitor}' needs validation data`);
  return new EarlyStoppingWithRestore({ ...settings, monitor });
}

function normaliseCallbacks(callbacks: FitOptions['callbacks']): tf.CustomCallback[] {
  if (callbacks === undefined) return [];
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  // TF.js takes either callback objects or plain handler objects, not a mix: wrap the plain ones.
  return list.map((c) => (isCallbackObject(c) ? c : new tf.CustomCallback(c as tf.CustomCallbackArgs))) as tf.CustomCallback[];
}

function isCallbackObject(c: FitCallback): boolean {
  return typeof (c as { setParams?: unknown }).setParams === 'function';
}

function isDataset(value: unknown): value is BatchDataset {
  return value instanceof tf.data.Dataset || typeof (value as { iterator?: unknown })?.iterator === 'function';
}

/** The dataset with each batch's labels made loss-ready (see `labelsForModel`); the mapping frees the originals. */
function alignDatasetLabels(model: tf.LayersModel, dataset: BatchDataset): BatchDataset {
  return dataset.map((batch) => {
    const { xs, ys } = batch as { xs: tf.Tensor | tf.Tensor[]; ys?: tf.Tensor };
    if (!(ys instanceof tf.Tensor)) return batch;
    return { xs, ys: labelsForModel(model, ys) } as tf.TensorContainer;
  });
}

/** Hold out the last `fraction` of the examples. */
function splitTail(x: FeatureTensors, y: tf.Tensor, fraction: number) {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`a validation fraction must be in (0, 1), got ${fraction}`);
  const n = exampleCount(x, y);
  const nVal = Math.round(n * fraction);
  if (nVal < 1 || nVal >= n) throw new Error(`validation fraction ${fraction} of ${n} examples leaves no train or no validation data`);
  const nTrain = n - nVal;
  const head = (t: tf.Tensor) => tf.slice(t, 0, nTrain);
  const tail = (t: tf.Tensor) => tf.slice(t, nTrain, nVal);
  const trainX = Array.isArray(x) ? x.map(head) : head(x);
  const valX = Array.isArray(x) ? x.map(tail) : tail(x);
  const trainY = head(y);
  const valY = tail(y);
  const tensors = [trainX, valX, trainY, valY].flat();
  return { train: { x: trainX, y: trainY }, validation: { x: valX, y: valY }, tensors };
}

/** A log entry as a number: TF.js leaves validation results as scalar tensors in the epoch logs of `fitDataset`. */
function logValue(raw: number | tf.Scalar | undefined): number {
  if (typeof raw === 'number') return raw;
  if (raw instanceof tf.Tensor) return raw.dataSync()[0];
  return NaN;
}

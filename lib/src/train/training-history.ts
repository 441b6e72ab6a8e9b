/** The typed record of a training run that `fitModel` returns: per-epoch losses and metrics, time and speed. */

/** One epoch of training. Metric names are TF.js's (`acc`, `mse`, ...); validation values have no `val_` prefix. */
export interface EpochRecord {
  /** 0-based epoch index. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size; includes regularisation terms). */
  loss: number;
  /** Mean training metrics, e.g. `{ acc: 0.93 }`. */
  metrics: Record<string, number>;
  /** Validation loss at the end of the epoch, when validation data was given. */
  valLoss?: number;
  /** Validation metrics at the end of the epoch, e.g. `{ acc: 0.91 }`. */
  valMetrics?: Record<string, number>;
  /** Wall time of the epoch, validation included, in seconds. */
  seconds: number;
  /** Wall time of the training batches only, in seconds. */
  trainSeconds: number;
  /** Training examples seen in the epoch. */
  examples: number;
  /** `examples / trainSeconds`. */
  examplesPerSecond: number;
  /** The optimiser's learning rate at the end of the epoch, when it could be read. */
  learningRate?: number;
}

/** The whole run. */
export interface TrainingHistory {
  epochs: EpochRecord[];
  /** Names of the training metrics recorded (without `loss`). */
  metricNames: string[];
  /** Wall time of the whole `fitModel` call, in seconds. */
  totalSeconds: number;
  /** All training examples over all training-batch time. */
  examplesPerSecond: number;
  /** True when early stopping ended the run before `epochs`. */
  stoppedEarly: boolean;
  /** Epoch with the best monitored value, when early stopping was on. */
  bestEpoch?: number;
  /** True when the weights of `bestEpoch` were put back at the end. */
  restoredBestWeights: boolean;
}

/** The values of one quantity across epochs, e.g. `historySeries(h, 'val_acc')`, for plotting. */
export function historySeries(history: TrainingHistory, key: string): number[] {
  const isVal = key.startsWith('val_');
  const name = isVal ? key.slice(4) : key;
  return history.epochs.map((e) => {
    const value = isVal ? (name === 'loss' ? e.valLoss : e.valMetrics?.[name]) : name === 'loss' ? e.loss : e.metrics[name];
    if (value === undefined) throw new Error(`the history has no '${key}' at epoch ${e.epoch}`);
    return value;
  });
}

/** Flatten a history to one plain row per epoch (`epoch`, `loss`, `acc`, `val_loss`, `val_acc`, ...), for tables and plots. */
export function historyRows(history: TrainingHistory): Record<string, number>[] {
  return history.epochs.map((e) => {
    const row: Record<string, number> = { epoch: e.epoch, loss: e.loss, ...e.metrics };
    if (e.valLoss !== undefined) row.val_loss = e.valLoss;
    for (const [k, v] of Object.entries(e.valMetrics ?? {})) row[`val_${k}`] = v;
    row.seconds = e.seconds;
    row.examples_per_second = e.examplesPerSecond;
    if (e.learningRate !== undefined) row.learning_rate = e.learningRate;
    return row;
  });
}

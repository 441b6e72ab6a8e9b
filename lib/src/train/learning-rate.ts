/**
 * Learning-rate schedules: plain functions from a step (epoch or batch count, from 0) to a rate, and a callback that
 * applies one to a compiled model's optimiser while it trains.
 */
import * as tf from '@tensorflow/tfjs';

/** A learning rate for a 0-based step (an epoch or a batch, depending on how it is applied). */
export type LearningRateSchedule = (step: number) => number;

/** The same rate at every step. */
export function constantLearningRate(rate: number): LearningRateSchedule {
  assertRate(rate);
  return () => rate;
}

/** Multiply by `factor` every `every` steps: rate * factor^floor(step / every). */
export function stepDecaySchedule(options: { initial: number; factor: number; every: number }): LearningRateSchedule {
  const { initial, factor, every } = options;
  assertRate(initial);
  if (!(every >= 1)) throw new Error(`every must be >= 1, got ${every}`);
  return (step) => initial * Math.pow(factor, Math.floor(step / every));
}

/** Smooth decay: initial * decayRate^(step / decaySteps). */
export function exponentialDecaySchedule(options: { initial: number; decayRate: number; decaySteps: number }): LearningRateSchedule {
  const { initial, decayRate, decaySteps } = options;
  assertRate(initial);
  if (!(decaySteps > 0)) throw new Error(`decaySteps must be > 0, got ${decaySteps}`);
  return (step) => initial * Math.pow(decayRate, step / decaySteps);
}

/**
 * Linear warm-up over `warmupSteps` (default 0) from ~0 to `initial`, then a half-cosine down to `final`
 * (default 0) at `totalSteps`; `final` afterwards.
 */
export function cosineDecaySchedule(options: { initial: number; totalSteps: number; final?: number; warmupSteps?: number }): LearningRateSchedule {
  const { initial, totalSteps, final = 0, warmupSteps = 0 } = options;
  assertRate(initial);
  if (!(totalSteps > warmupSteps)) throw new Error(`totalSteps (${totalSteps}) must exceed warmupSteps (${warmupSteps})`);
  return (step) => {
    if (step < warmupSteps) return (initial * (step + 1)) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps));
    return final + 0.5 * (initial - final) * (1 + Math.cos(Math.PI * progress));
  };
}

/**
 * The original Transformer schedule (per batch): scale * modelDim^-0.5 * min((step+1)^-0.5, (step+1) * warmupSteps^-1.5):
 * a linear rise for `warmupSteps`, then decay with the inverse square root of the step.
 */
export function transformerSchedule(options: { modelDim: number; warmupSteps: number; scale?: number }): LearningRateSchedule {
  const { modelDim, warmupSteps, scale = 1 } = options;
  if (!(modelDim > 0 && warmupSteps > 0)) throw new Error('modelDim and warmupSteps must be > 0');
  return (step) => {
    const s = step + 1;
    return scale * Math.pow(modelDim, -0.5) * Math.min(Math.pow(s, -0.5), s * Math.pow(warmupSteps, -1.5));
  };
}

type WithLearningRate = { learningRate?: unknown; setLearningRate?: (rate: number) => void };

/** The optimiser's current learning rate, or undefined if this optimiser has none as a number. */
export function getOptimizerLearningRate(optimizer: tf.Optimizer): number | undefined {
  const rate = (optimizer as unknown as WithLearningRate).learningRate;
  return typeof rate === 'number' ? rate : undefined;
}

/**
 * Set the learning rate of a TF.js optimiser (SGD, momentum, Adam, RMSProp, Adagrad, Adadelta, Adamax read
 * `learningRate` at every update, so the change takes effect at the next step).
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): void {
  assertRate(rate);
  const target = optimizer as unknown as WithLearningRate;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(rate);
  else if (typeof target.learningRate === 'number') target.learningRate = rate;
  else throw new Error(`cannot set the learning rate of ${optimizer.getClassName()}`);
}

/**
 * A callback that sets the model's learning rate from `schedule` before each epoch (`per: 'epoch'`, default) or
 * each batch (`per: 'batch'`, counting batches across epochs). Pass it in `fitModel`'s `callbacks`.
 */
export class LearningRateScheduler extends tf.Callback {
  private batches = 0;

  constructor(
    readonly schedule: LearningRateSchedule,
    readonly per: 'epoch' | 'batch' = 'epoch',
  ) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.batches = 0;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    if (this.per === 'epoch') setOptimizerLearningRate(this.model.optimizer, this.schedule(epoch));
  }

  override async onBatchBegin(): Promise<void> {
    if (this.per === 'batch') setOptimizerLearningRate(this.model.optimizer, this.schedule(this.batches++));
  }
}

/** Shorthand for `new LearningRateScheduler(schedule, per)`. */
export function learningRateScheduler(schedule: LearningRateSchedule, options: { per?: 'epoch' | 'batch' } = {}): LearningRateScheduler {
  return new LearningRateScheduler(schedule, options.per ?? 'epoch');
}

function assertRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate >= 0)) throw new Error(`a learning rate must be a finite number >= 0, got ${rate}`);
}

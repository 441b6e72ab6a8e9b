/**
 * Early stopping that can put back the best weights (TF.js's own `tf.callbacks.earlyStopping` cannot): stop when the
 * monitored value has not improved for `patience` epochs, then restore the weights of the best epoch.
 */
import * as tf from '@tensorflow/tfjs';

export interface EarlyStoppingOptions {
  /** Log key to watch (default `val_loss` when there is validation data, else `loss`). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 3; 0 stops at the first). */
  patience?: number;
  /** The smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** `'min'`, `'max'`, or `'auto'` (default: max for accuracy-like keys, min otherwise). */
  mode?: 'min' | 'max' | 'auto';
  /** Put back the weights of the best epoch when training ends (default true). */
  restoreBestWeights?: boolean;
}

/** The callback. Call {@link release} if training fails, to free the saved weights. */
export class EarlyStoppingWithRestore extends tf.Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly direction: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** Best monitored value and its (0-based) epoch; `bestEpoch` is -1 before the first epoch ends. */
  best = NaN;
  bestEpoch = -1;
  /** Epoch at which training was stopped, or -1. */
  stoppedEpoch = -1;
  /** Whether the best weights were put back at the end. */
  restored = false;
  private wait = 0;
  private lastEpoch = -1;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions & { monitor: string }) {
    super();
    this.monitor = options.monitor;
    this.patience = options.patience ?? 3;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) throw new Error(`patience must be an integer >= 0, got ${this.patience}`);
    const mode = options.mode ?? 'auto';
    this.direction = mode === 'auto' ? (/acc|f1|precision|recall|auc/i.test(this.monitor) ? 'max' : 'min') : mode;
    this.restoreBestWeights = options.restoreBestWeights ?? true;
  }

  override async onTrainBegin(): Promise<void> {
    this.release();
    this.best = NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.restored = false;
    this.wait = 0;
    this.lastEpoch = -1;
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    const raw: unknown = logs?.[this.monitor];
    // fitDataset leaves validation results as scalar tensors in the epoch logs.
    const value = raw instanceof tf.Tensor ? raw.dataSync()[0] : raw;
    if (typeof value !== 'number') {
      // An epoch cut short (`model.stopTraining = true` during it) ends without validation: nothing to judge.
      if (this.model.stopTraining) return;
      const keys = Object.keys(logs ?? {}).join(', ');
      throw new Error(`early stopping watches '${this.monitor}', but the epoch logs only have: ${keys || 'nothing'}`);
    }
    this.lastEpoch = epoch;
    if (this.improves(value)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.snapshot();
    } else if (++this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    // Restore whenever a later epoch changed the weights (stopped early or not); otherwise they are in place.
    if (this.restoreBestWeights && this.bestWeights !== null && this.lastEpoch !== this.bestEpoch) {
      this.model.setWeights(this.bestWeights);
      this.restored = true;
    }
    this.release();
  }

  /** Free the saved copy of the best weights. */
  release(): void {
    if (this.bestWeights !== null) tf.dispose(this.bestWeights);
    this.bestWeights = null;
  }

  private improves(value: number): boolean {
    if (Number.isNaN(value)) return false;
    if (this.bestEpoch < 0) return true;
    return this.direction === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }

  private snapshot(): void {
    this.release();
    // getWeights() returns the live variables; keep copies, non-trainable state (batch-norm statistics) included.
    this.bestWeights = this.model.getWeights().map((w) => w.clone());
  }
}

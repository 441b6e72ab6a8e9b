/**
 * Reproducible dropout. TF.js's own dropout draws its masks from `Math.random` (a rerun drops other units), and its
 * `seed` option repeats ONE mask at every step (no longer dropout). Here each layer owns a seeded stream and draws a
 * fresh mask seed at every training step, so a model built with the same seed drops the same units at the same steps
 * and the run repeats exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '../config';
import { Rng } from '../engine';

export interface SeededDropoutArgs {
  /** Fraction of the inputs set to zero while training, in [0, 1). */
  rate: number;
  /** Seed of this layer's mask stream. */
  seed: number;
  name?: string;
}

/** A dropout layer whose mask changes every step and repeats run after run (see the module comment). */
export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private readonly maskSeeds: Rng;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.maskSeeds = new Rng(args.seed);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, this.maskSeeds.seed()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

/** A dropout function `(x, rate) => x with units dropped`, as TF.js recurrent cells take for their input masks. */
export type DropoutFunction = (x: tf.Tensor, rate: number) => tf.Tensor;

/**
 * The dropout of one model: every dropout layer (or recurrent cell) gets its own mask stream, all derived from the
 * model's seed. A stream apart from the weight initialisers' one, so turning dropout on or off leaves the initial
 * weights as they were.
 */
export class DropoutSeeds {
  private readonly rng: Rng;

  /** @param seed the model's seed; defaults to `courseSeed()` (env `COURSE_SEED`, else 42). */
  constructor(seed: number = courseSeed()) {
    // a fixed offset keeps this stream apart from InitializerSeeds(seed)
    this.rng = new Rng((seed ^ 0x2545f491) >>> 0);
  }

  /** A dropout layer with its own mask stream. */
  layer(rate: number, name?: string): SeededDropout {
    return new SeededDropout({ rate, seed: this.rng.seed(), name });
  }

  /** A dropout function with its own stream: a fresh mask at each call (for `dropoutFunc` of RNN layers). */
  maskFunction(): DropoutFunction {
    const maskSeeds = new Rng(this.rng.seed());
    return (x, rate) => tf.dropout(x, rate, undefined, maskSeeds.seed());
  }
}

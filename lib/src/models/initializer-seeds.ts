/**
 * One seed drives every weight initialiser of a model: each layer draws its own seed from an `Rng`, so the same
 * `seed` option always builds the same initial weights, and two layers never share a random stream.
 */
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '../config';
import { Rng } from '../engine';

/** A TF.js weight initialiser (the class is not exported by name from `@tensorflow/tfjs`). */
export type WeightInitializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Hands out seeded TF.js initialisers, one fresh seed per call. */
export class InitializerSeeds {
  private readonly rng: Rng;

  /** @param seed the model's seed; defaults to `courseSeed()` (env `COURSE_SEED`, else 42). */
  constructor(seed: number = courseSeed()) {
    this.rng = new Rng(seed);
  }

  /** A fresh integer seed, for a layer that builds its own initialisers from a number. */
  next(): number {
    return this.rng.seed();
  }

  /** Glorot (Xavier) uniform: the default for dense, conv and attention projections. */
  glorotUniform(): WeightInitializer {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }

  /** He normal: suited to layers followed by ReLU. */
  heNormal(): WeightInitializer {
    return tf.initializers.heNormal({ seed: this.next() });
  }

  /** Orthogonal: the usual recurrent-kernel initialiser. */
  orthogonal(): WeightInitializer {
    return tf.initializers.orthogonal({ seed: this.next(), gain: 1 });
  }

  /** Uniform in [-limit, limit]: used for embedding tables. */
  uniform(limit = 0.05): WeightInitializer {
    return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: this.next() });
  }
}

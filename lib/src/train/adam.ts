/**
 * Adam as TF.js defines it (same state, same weights to save and load, same arithmetic), with one kernel per variable
 * on backends that have the course's `CourseAdamUpdate` (wasm) instead of TF.js's 13 small ones. Elsewhere it is
 * tf.train.adam unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, adamUpdateAvailable } from '../ops';

interface AdamState {
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export class CourseAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!adamUpdateAvailable()) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const pairs = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, gradient: tensor as tf.Tensor | undefined }))
      : Object.entries(variableGradients).map(([name, gradient]) => ({ name, gradient: gradient as tf.Tensor | undefined }));
    const step = this.iterations + 1;
    const attrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step };
    tf.tidy(() => {
      pairs.forEach(({ name, gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        // Moments are created on first use, named and ordered as TF.js does (its getWeights/setWeights rely on it).
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = adamUpdate(value, m, v, gradient, attrs);
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      // TF.js's running powers of beta, kept in step so that the stock path could take over at any time.
      state.accBeta1.assign(tf.scalar(this.beta1 ** (step + 1)));
      state.accBeta2.assign(tf.scalar(this.beta2 ** (step + 1)));
    });
    this.incrementIterations();
  }
}

/** Adam with TF.js's defaults (beta1 0.9, beta2 0.999, epsilon from the backend), fused on wasm. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.Optimizer {
  return new CourseAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

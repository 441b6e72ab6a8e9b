/** One Adam step for one variable as a single kernel, where the backend has the course's `CourseAdamUpdate` (wasm). */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs, hasKernel } from '../kernels';

/** True when the current backend runs the one-kernel Adam step. */
export function adamUpdateAvailable(): boolean {
  return hasKernel(ADAM_UPDATE);
}

/** The variable, first and second moments after one Adam step, as new tensors. */
export function adamUpdate(
  variable: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  gradient: tf.Tensor,
  attrs: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs = { variable, m, v, gradient } as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

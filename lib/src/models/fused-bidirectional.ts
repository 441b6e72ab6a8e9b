/**
 * A bidirectional LSTM over padded sentences that runs each direction as one fused op (`fusedLstm`, about 7x
 * faster to train on wasm than `tf.layers.lstm`, which runs a dozen small ops per step) and still ignores padding.
 * The fused op takes no mask, so padding is handled by where it sits: at the end of each row.
 *
 *   forward:  the LSTM reads the row left to right; padding comes after the real words, so the states at real words
 *             never saw it (the states at padded steps are junk, and masked pooling skips them);
 *   backward: each row's real words are reversed in place (padding stays at the end), read left to right by a
 *             second LSTM, and its states put back in the original order: again no real state saw padding.
 *
 * The states at real words are those of a masked `tf.layers.bidirectional(tf.layers.lstm(...))`. The GRU encoders
 * (`fusedGru`, see rnn-encoder.ts) handle padding the same way.
 */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs } from './sequence-mask';

/**
 * `[x, mask]` -> x with the first `sum(mask[b])` steps of each row `b` in reverse order and the rest (padding) in
 * place. Its own inverse. The mask must be 1 for a prefix of each row (padding at the end).
 */
export class ReverseRealSteps extends tf.layers.Layer {
  static className = 'ReverseRealSteps';

  constructor(args: BaseLayerArgs = {}) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('ReverseRealSteps expects [sequence, mask]');
    return tf.tidy(() => {
      const [x, mask] = inputs;
      const [batch, time, features] = x.shape as [number, number, number];
      const lengths = tf.sum(tf.cast(mask, 'int32'), 1, true); // [batch, 1]
      const step = tf.range(0, time, 1, 'int32').reshape([1, time]);
      const source = tf.where(tf.less(step, lengths), tf.sub(tf.sub(lengths, 1), step), tf.tile(step, [batch, 1]));
      const rows = tf.mul(tf.range(0, batch, 1, 'int32').reshape([batch, 1]), time);
      const flat = tf.reshape(x, [batch * time, features]);
      // (arithmetic with plain numbers promotes int32 to float32: cast the indices back)
      const indices = tf.cast(tf.reshape(tf.add(source, rows), [-1]), 'int32');
      return tf.reshape(tf.gather(flat, indices), [batch, time, features]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }
}
tf.serialization.registerClass(ReverseRealSteps);

/**
 * `fusedLstm({units, returnSequences})`: a drop-in for `tf.layers.lstm` that runs the whole sequence as one op
 * (the `lstmSequence` op). Same weights (kernel, recurrent_kernel, bias; gate order i, f, c, o), same initialisers
 * and defaults, so `setWeights(lstm.getWeights())` carries weights between the two and outputs agree to float error.
 * Not supported (clear error): dropout, stateful, masking, initial state, returnState, activations other than tanh.
 * The parts shared with fusedGru are in fused-recurrent.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmGateActivation } from '../kernels';
import { lstmSequence } from '../ops';
import { type FusedRecurrentArgs, FusedRecurrentLayer, type FusedRecurrentSpec } from './fused-recurrent';

export interface FusedLstmArgs extends FusedRecurrentArgs {
  /** Gate activation; default 'hardSigmoid' like tf.layers.lstm (PyTorch and Keras 2 use 'sigmoid'). */
  recurrentActivation?: LstmGateActivation;
  /** Start the forget gate's bias at 1 (as tf.layers.lstm; default true). */
  unitForgetBias?: boolean;
}

const LSTM_SPEC: FusedRecurrentSpec = {
  layerName: 'fusedLstm',
  stockLayer: 'tf.layers.lstm',
  gateCount: 4,
  unsupported: ['dropout', 'recurrentDropout', 'stateful', 'returnState', 'unroll'],
  sequence: lstmSequence,
};

export class FusedLstm extends FusedRecurrentLayer {
  static className = 'CourseFusedLstm';
  readonly unitForgetBias: boolean;

  constructor(args: FusedLstmArgs) {
    super(args, LSTM_SPEC);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    super.build(inputShape);
    if (this.bias !== undefined && this.unitForgetBias) {
      // As tf.layers.lstm: the forget-gate block [u, 2u) of the bias starts at 1.
      const [bias, u] = [this.bias, this.units];
      tf.tidy(() => {
        const initial = bias.read();
        bias.write(tf.concat([tf.slice(initial, [0], [u]), tf.ones([u]), tf.slice(initial, [2 * u], [2 * u])]));
      });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
tf.serialization.registerClass(FusedLstm);

/** A fused LSTM layer for `tf.sequential` / functional models (see FusedLstm). */
export function fusedLstm(args: FusedLstmArgs): FusedLstm {
  return new FusedLstm(args);
}

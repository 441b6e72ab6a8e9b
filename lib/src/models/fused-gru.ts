/**
 * `fusedGru({units, returnSequences})`: a drop-in for `tf.layers.gru` that runs the whole sequence as one op
 * (the `gruSequence` op; the GRU twin of fused-lstm.ts). Same weights (kernel [in, 3u], recurrent_kernel [u, 3u],
 * bias [3u]; gate order z, r, h; reset gate applied before the recurrent product, as TF.js's GRUCell), same
 * initialisers and defaults, so `setWeights(gru.getWeights())` carries weights between the two and outputs agree to
 * float error. Not supported (clear error): dropout, recurrent dropout, stateful, masking, initial state,
 * returnState, unroll, resetAfter, activations other than tanh. The parts shared with fusedLstm are in
 * fused-recurrent.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { GruGateActivation } from '../kernels';
import { gruSequence } from '../ops';
import { type FusedRecurrentArgs, FusedRecurrentLayer, type FusedRecurrentSpec } from './fused-recurrent';

export interface FusedGruArgs extends FusedRecurrentArgs {
  /** Gate activation; default 'hardSigmoid' like tf.layers.gru (PyTorch and Keras 2 use 'sigmoid'). */
  recurrentActivation?: GruGateActivation;
}

const GRU_SPEC: FusedRecurrentSpec = {
  layerName: 'fusedGru',
  stockLayer: 'tf.layers.gru',
  gateCount: 3,
  unsupported: ['dropout', 'recurrentDropout', 'stateful', 'returnState', 'unroll', 'resetAfter'],
  sequence: gruSequence,
};

export class FusedGru extends FusedRecurrentLayer {
  static className = 'CourseFusedGru';

  constructor(args: FusedGruArgs) {
    super(args, GRU_SPEC);
  }
}
tf.serialization.registerClass(FusedGru);

/** A fused GRU layer for `tf.sequential` / functional models (see FusedGru). */
export function fusedGru(args: FusedGruArgs): FusedGru {
  return new FusedGru(args);
}

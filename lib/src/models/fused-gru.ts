/**
 * `fusedGru({units, returnSequences})`: a drop-in for `tf.layers.gru` that runs the whole sequence as one op
 * (the `gruSequence` op; the GRU twin of fused-lstm.ts). Same weights (kernel [in, 3u], recurrent_kernel [u, 3u],
 * bias [3u]; gate order z, r, h; reset gate applied before the recurrent product, as TF.js's GRUCell), same
 * initialisers and defaults, so `setWeights(gru.getWeights())` carries weights between the two and outputs agree to
 * float error. Not supported (clear error): dropout, recurrent dropout, stateful, masking, initial state,
 * returnState, unroll, resetAfter, activations other than tanh.
 */
import * as tf from '@tensorflow/tfjs';
import type { GruGateActivation } from '../kernels';
import { gruSequence } from '../ops';

/** The initialiser type of tf.layers (its class is not exported by name). */
type LayerInitializer = ReturnType<typeof tf.initializers.zeros>;

export interface FusedGruArgs {
  units: number;
  returnSequences?: boolean;
  /** Process the sequence from last to first step (as in tf.layers.gru; the output order is the processing order). */
  goBackwards?: boolean;
  /** Gate activation; default 'hardSigmoid' like tf.layers.gru (PyTorch and Keras 2 use 'sigmoid'). */
  recurrentActivation?: GruGateActivation;
  /** Only 'tanh' is fused. */
  activation?: 'tanh';
  useBias?: boolean;
  kernelInitializer?: LayerInitializer;
  recurrentInitializer?: LayerInitializer;
  biasInitializer?: LayerInitializer;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
  inputDim?: number;
  inputLength?: number;
  name?: string;
  trainable?: boolean;
}

const UNSUPPORTED = ['dropout', 'recurrentDropout', 'stateful', 'returnState', 'unroll', 'resetAfter'] as const;

export class FusedGru extends tf.layers.Layer {
  static className = 'CourseFusedGru';
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly recurrentActivation: GruGateActivation;
  readonly useBias: boolean;
  private readonly kernelInit: LayerInitializer;
  private readonly recurrentInit: LayerInitializer;
  private readonly biasInit: LayerInitializer;
  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: FusedGruArgs) {
    const { units, returnSequences, goBackwards, recurrentActivation, activation, useBias } = args;
    for (const key of UNSUPPORTED) {
      const value = (args as unknown as Record<string, unknown>)[key];
      if (value !== undefined && value !== false && value !== 0) {
        throw new Error(`fusedGru does not support '${key}'; use tf.layers.gru for it`);
      }
    }
    if (!Number.isInteger(units) || units <= 0) throw new Error(`fusedGru units must be a positive integer, got ${units}`);
    if (activation !== undefined && activation !== 'tanh') {
      throw new Error(`fusedGru only fuses activation 'tanh', got '${activation}'`);
    }
    if (recurrentActivation !== undefined && recurrentActivation !== 'sigmoid' && recurrentActivation !== 'hardSigmoid') {
      throw new Error(`fusedGru recurrentActivation must be 'sigmoid' or 'hardSigmoid', got '${recurrentActivation}'`);
    }
    const layerArgs: Record<string, unknown> = { name: args.name, trainable: args.trainable };
    if (args.batchInputShape) layerArgs.batchInputShape = args.batchInputShape;
    else if (args.inputShape) layerArgs.inputShape = args.inputShape;
    else if (args.inputDim !== undefined) layerArgs.inputShape = [args.inputLength ?? null, args.inputDim];
    super(layerArgs as never);
    this.units = units;
    this.returnSequences = returnSequences ?? false;
    this.goBackwards = goBackwards ?? false;
    this.recurrentActivation = recurrentActivation ?? 'hardSigmoid';
    this.useBias = useBias ?? true;
    this.kernelInit = args.kernelInitializer ?? tf.initializers.glorotUniform({});
    this.recurrentInit = args.recurrentInitializer ?? tf.initializers.orthogonal({});
    this.biasInit = args.biasInitializer ?? tf.initializers.zeros();
    this.inputSpec = [{ ndim: 3 }];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null) throw new Error('fusedGru needs a known feature dimension');
    const u = this.units;
    this.kernel = this.addWeight('kernel', [inputDim, 3 * u], 'float32', this.kernelInit);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 3 * u], 'float32', this.recurrentInit);
    if (this.useBias) this.bias = this.addWeight('bias', [3 * u], 'float32', this.biasInit);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    if (kwargs?.mask != null) throw new Error('fusedGru does not support masking; use tf.layers.gru');
    if (kwargs?.initialState != null) throw new Error('fusedGru does not support an initial state');
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      if (this.goBackwards) x = tf.reverse(x, 1);
      const weights = {
        kernel: this.kernel!.read() as tf.Tensor2D,
        recurrentKernel: this.recurrentKernel!.read() as tf.Tensor2D,
        bias: this.bias?.read() as tf.Tensor1D | undefined,
      };
      const h = gruSequence(x, weights, this.recurrentActivation);
      if (this.returnSequences) return h;
      const [batch, time, units] = h.shape;
      return tf.reshape(tf.slice(h, [0, time - 1, 0], [batch, 1, units]), [batch, units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      recurrentActivation: this.recurrentActivation,
      useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(FusedGru);

/** A fused GRU layer for `tf.sequential` / functional models (see FusedGru). */
export function fusedGru(args: FusedGruArgs): FusedGru {
  return new FusedGru(args);
}

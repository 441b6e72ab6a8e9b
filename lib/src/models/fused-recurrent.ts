/**
 * What `FusedLstm` and `FusedGru` share: the option checks, the weights (kernel [in, gates*units], recurrent_kernel
 * [units, gates*units], bias [gates*units], tf.layers' names and initialisers), the output shape, the config keys and
 * the call plumbing. Each subclass keeps its own className, registration and extra options, and names its op.
 */
import * as tf from '@tensorflow/tfjs';
import type { RecurrentGateActivation } from '../kernels';
import type { RecurrentWeights } from '../ops/recurrent-sequence';

/** The initialiser type of tf.layers (its class is not exported by name). */
export type LayerInitializer = ReturnType<typeof tf.initializers.zeros>;

/** The options both fused layers take (FusedLstmArgs and FusedGruArgs add their own). */
export interface FusedRecurrentArgs {
  units: number;
  returnSequences?: boolean;
  /** Process the sequence from last to first step (as in tf.layers; the output order is the processing order). */
  goBackwards?: boolean;
  /** Gate activation; default 'hardSigmoid' like tf.layers (PyTorch and Keras 2 use 'sigmoid'). */
  recurrentActivation?: RecurrentGateActivation;
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

/** What a subclass tells the base: names for messages, the gate count, what it refuses, and its op. */
export interface FusedRecurrentSpec {
  /** The factory's name, for messages ('fusedLstm'). */
  layerName: string;
  /** The stock layer to use instead, for messages ('tf.layers.lstm'). */
  stockLayer: string;
  /** Gate blocks in the weights' columns (LSTM 4, GRU 3). */
  gateCount: number;
  /** tf.layers options that are refused unless undefined, false or 0. */
  unsupported: readonly string[];
  /** The whole-sequence op: hidden states [batch, time, units] for x [batch, time, features]. */
  sequence(x: tf.Tensor3D, weights: RecurrentWeights, recurrentActivation: RecurrentGateActivation): tf.Tensor3D;
}

export abstract class FusedRecurrentLayer extends tf.layers.Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly recurrentActivation: RecurrentGateActivation;
  readonly useBias: boolean;
  private readonly spec: FusedRecurrentSpec;
  private readonly kernelInit: LayerInitializer;
  private readonly recurrentInit: LayerInitializer;
  private readonly biasInit: LayerInitializer;
  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  /** Protected: FusedLstm sets its forget-gate block after build. */
  protected bias?: tf.LayerVariable;

  protected constructor(args: FusedRecurrentArgs, spec: FusedRecurrentSpec) {
    const { units, returnSequences, goBackwards, recurrentActivation, activation, useBias } = args;
    const name = spec.layerName;
    for (const key of spec.unsupported) {
      const value = (args as unknown as Record<string, unknown>)[key];
      if (value !== undefined && value !== false && value !== 0) {
        throw new Error(`${name} does not support '${key}'; use ${spec.stockLayer} for it`);
      }
    }
    if (!Number.isInteger(units) || units <= 0) throw new Error(`${name} units must be a positive integer, got ${units}`);
    if (activation !== undefined && activation !== 'tanh') {
      throw new Error(`${name} only fuses activation 'tanh', got '${activation}'`);
    }
    if (recurrentActivation !== undefined && recurrentActivation !== 'sigmoid' && recurrentActivation !== 'hardSigmoid') {
      throw new Error(`${name} recurrentActivation must be 'sigmoid' or 'hardSigmoid', got '${recurrentActivation}'`);
    }
    const layerArgs: Record<string, unknown> = { name: args.name, trainable: args.trainable };
    if (args.batchInputShape) layerArgs.batchInputShape = args.batchInputShape;
    else if (args.inputShape) layerArgs.inputShape = args.inputShape;
    else if (args.inputDim !== undefined) layerArgs.inputShape = [args.inputLength ?? null, args.inputDim];
    super(layerArgs as never);
    this.spec = spec;
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
    if (inputDim === null) throw new Error(`${this.spec.layerName} needs a known feature dimension`);
    const columns = this.spec.gateCount * this.units;
    this.kernel = this.addWeight('kernel', [inputDim, columns], 'float32', this.kernelInit);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, columns], 'float32', this.recurrentInit);
    if (this.useBias) this.bias = this.addWeight('bias', [columns], 'float32', this.biasInit);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const { layerName, stockLayer } = this.spec;
    if (kwargs?.mask != null) throw new Error(`${layerName} does not support masking; use ${stockLayer}`);
    if (kwargs?.initialState != null) throw new Error(`${layerName} does not support an initial state`);
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      if (this.goBackwards) x = tf.reverse(x, 1);
      const weights = {
        kernel: this.kernel!.read() as tf.Tensor2D,
        recurrentKernel: this.recurrentKernel!.read() as tf.Tensor2D,
        bias: this.bias?.read() as tf.Tensor1D | undefined,
      };
      const h = this.spec.sequence(x, weights, this.recurrentActivation);
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

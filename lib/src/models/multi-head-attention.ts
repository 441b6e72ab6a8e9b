/**
 * Multi-head self-attention (Vaswani et al., 2017), written out with matrix products so lesson 05 can read it:
 * project to queries, keys and values per head, scaled dot products, masked softmax, weighted sum, output projection.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine';
import { BaseLayerArgs, maskedSoftmax, sequenceAndMask, sequenceShape } from './sequence-mask';

export interface MultiHeadSelfAttentionArgs extends BaseLayerArgs {
  /** Number of heads. */
  numHeads: number;
  /** Size of each head's queries/keys/values (default: model dim / numHeads). */
  headDim?: number;
  /** Forbid attending to later positions (decoder-style), on top of any padding mask (default false). */
  causal?: boolean;
  /** Dropout on the attention weights while training (default 0). */
  attentionDropout?: number;
  /** Also output the attention weights `[batch, heads, time, time]` (default false). */
  returnAttentionWeights?: boolean;
  /** Seed of the weight initialisers and of the attention-dropout masks (a fresh mask each step). */
  seed?: number | null;
}

/**
 * Self-attention over `[batch, time, dim]` -> `[batch, time, dim]`. Padding comes from mask propagation or a second
 * input `[sequence, mask]` (mask `[batch, time]`, 1 = real token): padded keys get zero weight.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  readonly headDimOption: number | undefined;
  readonly causal: boolean;
  readonly attentionDropout: number;
  readonly returnAttentionWeights: boolean;
  readonly seed: number | undefined;
  /** Seeds of the attention-dropout masks, one per training step; null without a seed (unseeded masks). */
  private readonly maskSeeds: Rng | null;
  private headDim = 0;
  private weightsByName: Record<string, tf.LayerVariable> = {};

  constructor(args: MultiHeadSelfAttentionArgs) {
    const { numHeads, headDim, causal, attentionDropout, returnAttentionWeights, seed, ...base } = args;
    super(base);
    if (!Number.isInteger(numHeads) || numHeads <= 0) throw new Error(`numHeads must be a positive integer, got ${numHeads}`);
    this.numHeads = numHeads;
    this.headDimOption = headDim ?? undefined;
    this.causal = causal ?? false;
    this.attentionDropout = attentionDropout ?? 0;
    this.returnAttentionWeights = returnAttentionWeights ?? false;
    this.seed = seed ?? undefined;
    // apart from the initialisers' seeds (seed + offset)
    this.maskSeeds = this.seed === undefined ? null : new Rng((this.seed ^ 0x68e31da4) >>> 0);
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const dim = sequenceShape(inputShape)[2];
    if (dim == null) throw new Error('MultiHeadSelfAttention needs a known model dimension');
    if (this.headDimOption === undefined && dim % this.numHeads !== 0) {
      throw new Error(`model dim ${dim} is not divisible by numHeads ${this.numHeads}; set headDim`);
    }
    this.headDim = this.headDimOption ?? dim / this.numHeads;
    const inner = this.numHeads * this.headDim;
    const init = (offset: number) =>
      tf.initializers.glorotUniform({ seed: this.seed === undefined ? undefined : this.seed + offset });
    const zeros = tf.initializers.zeros();
    ['query', 'key', 'value'].forEach((name, i) => {
      this.weightsByName[name] = this.addWeight(`${name}_kernel`, [dim, inner], 'float32', init(i));
      this.weightsByName[`${name}_bias`] = this.addWeight(`${name}_bias`, [inner], 'float32', zeros);
    });
    this.weightsByName.output = this.addWeight('output_kernel', [inner, dim], 'float32', init(3));
    this.weightsByName.output_bias = this.addWeight('output_bias', [dim], 'float32', zeros);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const { x, mask } = sequenceAndMask(inputs, kwargs as { mask?: tf.Tensor });
      const [batch, time, dim] = x.shape;
      const w = (name: string) => this.weightsByName[name].read();
      const flat = tf.reshape(x, [-1, dim]);
      // [batch*time, heads*headDim] -> [batch, heads, time, headDim]
      const heads = (name: string) =>
        tf.transpose(
          tf.reshape(tf.add(tf.matMul(flat, w(name)), w(`${name}_bias`)), [batch, time, this.numHeads, this.headDim]),
          [0, 2, 1, 3],
        );
      const q = heads('query');
      const k = heads('key');
      const v = heads('value');
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.headDim)); // [batch, heads, time, time]
      let weights = maskedSoftmax(scores, this.keyMask(mask, batch, time));
      if (this.attentionDropout > 0 && kwargs.training === true) weights = tf.dropout(weights, this.attentionDropout, undefined, this.maskSeeds?.seed());
      const context = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [-1, this.numHeads * this.headDim]);
      const output = tf.reshape(tf.add(tf.matMul(context, w('output')), w('output_bias')), [batch, time, dim]);
      return this.returnAttentionWeights ? [output, weights] : output;
    });
  }

  /** Which keys each query may see, `[batch, 1, time, time]` or `[batch, 1, 1, time]`, or null for all. */
  private keyMask(padding: tf.Tensor | null, batch: number, time: number): tf.Tensor | null {
    const paddingMask = padding === null ? null : tf.reshape(padding, [batch, 1, 1, time]);
    if (!this.causal) return paddingMask;
    const lower = new Float32Array(time * time);
    for (let i = 0; i < time; i++) for (let j = 0; j <= i; j++) lower[i * time + j] = 1;
    const causalMask = tf.tensor4d(lower, [1, 1, time, time]);
    return paddingMask === null ? causalMask : tf.mul(paddingMask, causalMask);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = sequenceShape(inputShape);
    return this.returnAttentionWeights ? [shape, [shape[0], this.numHeads, shape[1], shape[1]]] : shape;
  }

  /** The output keeps the time axis, so a propagated mask goes on unchanged. */
  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const carried = (Array.isArray(inputs) ? null : Array.isArray(mask) ? mask[0] : mask) ?? null;
    return (this.returnAttentionWeights ? [carried, null] : carried) as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      headDim: this.headDimOption ?? null,
      causal: this.causal,
      attentionDropout: this.attentionDropout,
      returnAttentionWeights: this.returnAttentionWeights,
      seed: this.seed ?? null,
    };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);

/**
 * A trainable re-implementation of the Universal Sentence Encoder lite graph (lesson 04's fine-tuning): the same
 * computation as the TF.js graph model that `loadSentenceEncoder` loads, written with ordinary ops over
 * `tf.Variable`s initialised from the graph's weights, so gradients reach every weight.
 *
 * The graph, read from its `model.json`: token ids (at most 128 per sentence) -> embedding table (8002 x 256);
 * input = 2 * embedding + sinusoidal timing signal (the graph adds the embedding once directly and once with the
 * signal); two pre-norm Transformer layers (layer norm -> 4-head self-attention with padded keys masked -> residual;
 * layer norm -> ReLU feed-forward 512 -> 1536 -> 512 -> residual). Layer 0 works at width 256 and widens to 512 in its
 * attention output, its residual going through a dense 256 -> 512. Then the mean over real tokens, a dense tanh
 * layer 512 -> 512 and L2 normalisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { SentenceEncoder } from './sentence-encoder';
import { layerNorm } from '../ops';

/** The graph keeps the first 128 tokens of a sentence. */
export const SENTENCE_ENCODER_MAX_TOKENS = 128;
const LAYER_NORM_EPSILON = 1e-6;
const HEADS = 4;

/** The parts that can be trained or frozen, from the input up. */
export const SENTENCE_ENCODER_PARTS = ['embeddings', 'layer0', 'layer1', 'output'] as const;
export type SentenceEncoderPart = (typeof SENTENCE_ENCODER_PARTS)[number];

interface TransformerLayerWeights {
  attentionNormScale: tf.Variable;
  attentionNormBias: tf.Variable;
  qkvKernel: tf.Variable; // [d_in, 3 * d_in]
  qkvBias: tf.Variable;
  outputKernel: tf.Variable; // [d_in, 512]
  outputBias: tf.Variable;
  residualKernel?: tf.Variable; // layer 0 only: [256, 512]
  residualBias?: tf.Variable;
  ffnNormScale: tf.Variable;
  ffnNormBias: tf.Variable;
  ffnKernel1: tf.Variable; // [512, 1536]
  ffnBias1: tf.Variable;
  ffnKernel2: tf.Variable; // [1536, 512]
  ffnBias2: tf.Variable;
}

/** Token ids padded to one length: `ids` `[batch, length]` int32 (padding -1 is never read) and `mask` float32. */
export interface TokenBatch {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
}

let instances = 0;

export class TrainableSentenceEncoder {
  private readonly embeddings: tf.Variable;
  private readonly timingScales: tf.Tensor2D; // [1, 128], a constant of the graph
  private readonly layers: TransformerLayerWeights[];
  private readonly outputKernel: tf.Variable;
  private readonly outputBias: tf.Variable;
  private readonly parts: Record<SentenceEncoderPart, tf.Variable[]>;

  /**
   * Copy the weights of a loaded graph encoder into new variables (the graph encoder can be disposed afterwards).
   * Every part starts trainable; see {@link setTrainableParts}.
   */
  constructor(source: SentenceEncoder) {
    const graphWeights = (source.model as unknown as { weights: Record<string, tf.Tensor[]> }).weights;
    const prefix = `use_lite_${++instances}`;
    const find = (suffix: string): tf.Tensor => {
      const names = Object.keys(graphWeights).filter((n) => n.endsWith(suffix));
      if (names.length !== 1) throw new Error(`the sentence-encoder graph has ${names.length} weights ending in '${suffix}' (expected 1)`);
      return graphWeights[names[0]][0];
    };
    const variable = (suffix: string, name: string, shape?: number[]): tf.Variable => {
      const value = find(suffix);
      return tf.tidy(() => tf.variable(shape ? tf.reshape(value, shape) : tf.clone(value), true, `${prefix}/${name}`));
    };
    this.embeddings = variable('module/Embeddings_en', 'embeddings');
    this.timingScales = tf.clone(find('AddTimingSignal/TimingSignal/ExpandDims_1')) as tf.Tensor2D;
    this.layers = [0, 1].map((i) => {
      const layer = `Encode/Layer_${i}/TransformerLayer`;
      const width = i === 0 ? 256 : 512;
      const weights: TransformerLayerWeights = {
        attentionNormScale: variable(`${layer}/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`, `layer${i}/attention_norm_scale`),
        attentionNormBias: variable(`${layer}/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`, `layer${i}/attention_norm_bias`),
        qkvKernel: variable(`${layer}/MultiheadAttention/qkv_transform_single/kernel/part_0`, `layer${i}/qkv_kernel`, [width, 3 * width]),
        qkvBias: variable(`${layer}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, `layer${i}/qkv_bias`),
        outputKernel: variable(`${layer}/MultiheadAttention/output_transform_single/kernel/part_0`, `layer${i}/attention_output_kernel`, [width, 512]),
        outputBias: variable(`${layer}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, `layer${i}/attention_output_bias`),
        ffnNormScale: variable(`${layer}/FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`, `layer${i}/ffn_norm_scale`),
        ffnNormBias: variable(`${layer}/FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`, `layer${i}/ffn_norm_bias`),
        ffnKernel1: variable(`TransformerStack/Layer_${i}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`, `layer${i}/ffn_kernel_1`),
        ffnBias1: variable(`${layer}/FFN/conv1/bias/ConcatPartitions/concat`, `layer${i}/ffn_bias_1`),
        ffnKernel2: variable(`TransformerStack/Layer_${i}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`, `layer${i}/ffn_kernel_2`),
        ffnBias2: variable(`${layer}/FFN/conv2/bias/ConcatPartitions/concat`, `layer${i}/ffn_bias_2`),
      };
      if (i === 0) {
        weights.residualKernel = variable(`${layer}/dense/kernel/ConcatPartitions/concat`, 'layer0/residual_kernel');
        weights.residualBias = variable(`${layer}/dense/bias/ConcatPartitions/concat`, 'layer0/residual_bias');
      }
      return weights;
    });
    this.outputKernel = variable('hidden_layers/tanh_layer_0/weights', 'output_kernel');
    this.outputBias = variable('hidden_layers/tanh_layer_0/bias', 'output_bias');
    const layerVariables = (w: TransformerLayerWeights) => Object.values(w).filter((v): v is tf.Variable => v !== undefined);
    this.parts = {
      embeddings: [this.embeddings],
      layer0: layerVariables(this.layers[0]),
      layer1: layerVariables(this.layers[1]),
      output: [this.outputKernel, this.outputBias],
    };
  }

  /** Every weight, in the order of {@link SENTENCE_ENCODER_PARTS}. */
  get variables(): tf.Variable[] {
    return SENTENCE_ENCODER_PARTS.flatMap((p) => this.parts[p]);
  }

  /** The weights that train. */
  get trainableVariables(): tf.Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /** True when the embeddings and layer 0 do not train: {@link lowerStates} can then be cached. */
  get lowerFrozen(): boolean {
    return [...this.parts.embeddings, ...this.parts.layer0].every((v) => !v.trainable);
  }

  /** Copies of every weight, in the order of {@link variables} (to start again from them with {@link setWeights}). */
  getWeights(): tf.Tensor[] {
    return this.variables.map((v) => tf.clone(v));
  }

  /** Assign weights taken with {@link getWeights} (same order and shapes). */
  setWeights(weights: readonly tf.Tensor[]): void {
    const variables = this.variables;
    if (weights.length !== variables.length) throw new Error(`setWeights: got ${weights.length} tensors for the encoder's ${variables.length} weights`);
    variables.forEach((v, i) => {
      if (!tf.util.arraysEqual(v.shape, weights[i].shape)) throw new Error(`setWeights: ${v.name} has shape [${v.shape}], got [${weights[i].shape}]`);
      v.assign(weights[i]);
    });
  }

  /** Number of weights in `part` (default: all). */
  parameterCount(part?: SentenceEncoderPart): number {
    return (part ? this.parts[part] : this.variables).reduce((n, v) => n + v.size, 0);
  }

  /** Train exactly the `parts` named and freeze the others; returns the number of trainable weights. */
  setTrainableParts(parts: readonly SentenceEncoderPart[]): number {
    for (const p of parts) if (!SENTENCE_ENCODER_PARTS.includes(p)) throw new Error(`unknown encoder part '${p}' (parts: ${SENTENCE_ENCODER_PARTS.join(', ')})`);
    for (const p of SENTENCE_ENCODER_PARTS) for (const v of this.parts[p]) v.trainable = parts.includes(p);
    return this.trainableVariables.reduce((n, v) => n + v.size, 0);
  }

  /** Pad tokenised sentences into a batch (blank ones become the unknown token, long ones keep their first 128). */
  tokenBatch(tokenIds: number[][], unknownId = 0): TokenBatch {
    if (tokenIds.length === 0) throw new Error('no sentences to encode');
    const rows = tokenIds.map((ids) => (ids.length === 0 ? [unknownId] : ids.slice(0, SENTENCE_ENCODER_MAX_TOKENS)));
    const length = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * length).fill(-1);
    const mask = new Float32Array(rows.length * length);
    rows.forEach((row, i) =>
      row.forEach((id, t) => {
        ids[i * length + t] = id;
        mask[i * length + t] = 1;
      }),
    );
    return { ids: tf.tensor2d(ids, [rows.length, length], 'int32'), mask: tf.tensor2d(mask, [rows.length, length]) };
  }

  /** Embeddings `[batch, 512]` of unit length, differentiable with respect to the variables. */
  apply(batch: TokenBatch): tf.Tensor2D {
    return tf.tidy(() => this.applyUpper(this.lowerStates(batch), batch.mask));
  }

  /**
   * The token states after the embedding and Transformer layer 0, `[batch, length, 512]` (padded positions hold
   * values that nothing downstream reads). With both parts frozen they can be computed once per sentence and cached.
   */
  lowerStates(batch: TokenBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, length] = batch.ids.shape;
      return this.transformerLayer(this.inputStates(batch), this.layers[0], keyBias(batch.mask, b, length));
    });
  }

  /** Each token's embedding (scaled by 2, as the graph does) plus its position's timing signal: `[batch, length, 512]`. */
  private inputStates(batch: TokenBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const [, length] = batch.ids.shape;
      const mask3 = batch.mask.expandDims(2); // [b, L, 1]
      const embedded = tf.gather(this.embeddings, tf.maximum(batch.ids, tf.scalar(0, 'int32'))).mul(mask3) as tf.Tensor3D;
      const positions = tf.range(0, length).reshape([length, 1]).matMul(this.timingScales); // [L, 128]
      const timing = tf.concat([tf.sin(positions), tf.cos(positions)], 1).expandDims(0).mul(mask3);
      return embedded.mul(2).add(timing) as tf.Tensor3D;
    });
  }

  /** From the states after layer 0 (`[batch, length, 512]`) and the token mask to the unit-length embeddings. */
  applyUpper(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, length] = mask.shape;
      return this.pooledOutput(this.transformerLayer(states, this.layers[1], keyBias(mask, b, length)), mask);
    });
  }

  /** Mean over each row's real tokens, the dense tanh layer and L2 normalisation: `[batch, 512]`. */
  private pooledOutput(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    const pooled = x.mul(mask.expandDims(2)).sum(1).div(tf.maximum(mask.sum(1, true), 1));
    const hidden = tf.tanh(pooled.matMul(this.outputKernel).add(this.outputBias));
    return tf.mul(hidden, tf.rsqrt(tf.maximum(hidden.square().sum(1, true), 1e-12))) as tf.Tensor2D;
  }

  /**
   * Like {@link applyUpper} for sentence pairs read together: `states` and `mask` hold the first sentences of `n`
   * pairs, then their second sentences (`2n` rows). Layer 1 runs once per pair over both sentences side by side, so
   * every token also attends to the other sentence's tokens; each sentence is then pooled over its own tokens. Returns
   * `[2n, 512]` in the order of the rows. Before training this differs from {@link applyUpper}: the pre-trained
   * layer only ever saw one sentence at a time.
   */
  applyUpperAcross(states: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return this.pairsSideBySide(states, mask, [this.layers[1]]);
  }

  /**
   * Both layers read the pairs side by side (a cross-encoder): like {@link applyUpperAcross}, with layer 0 too. The
   * batch holds the first sentences of `n` pairs, then their second ones; each sentence keeps its own positions.
   * Nothing can be cached: every token state depends on the other sentence.
   */
  applyAcross(batch: TokenBatch): tf.Tensor2D {
    return tf.tidy(() => this.pairsSideBySide(this.inputStates(batch), batch.mask, this.layers));
  }

  /** Run `layers` over each pair's two sentences joined along the tokens, then pool each sentence on its own. */
  private pairsSideBySide(states: tf.Tensor3D, mask: tf.Tensor2D, layers: TransformerLayerWeights[]): tf.Tensor2D {
    return tf.tidy(() => {
      const [rows, length] = mask.shape;
      if (rows % 2 !== 0) throw new Error(`sentence pairs side by side need first sentences then second ones, got ${rows} rows`);
      const n = rows / 2;
      const [statesA, statesB] = tf.split(states, 2, 0);
      const [maskA, maskB] = tf.split(mask, 2, 0);
      const bias = keyBias(tf.concat([maskA, maskB], 1) as tf.Tensor2D, n, 2 * length); // [n, 2L]
      let x = tf.concat([statesA, statesB], 1) as tf.Tensor3D;
      for (const layer of layers) x = this.transformerLayer(x, layer, bias);
      const [xA, xB] = tf.split(x, 2, 1) as [tf.Tensor3D, tf.Tensor3D];
      return this.pooledOutput(tf.concat([xA, xB], 0) as tf.Tensor3D, mask);
    });
  }

  /** Tokenise with `tokenizer` and embed, `batchSize` sentences at a time (no gradients): `[texts.length, 512]`. */
  embed(tokenizer: { encode(text: string): number[]; unknownId: number }, texts: string[], batchSize = 64): tf.Tensor2D {
    if (texts.length === 0) throw new Error('no sentences to embed');
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = this.tokenBatch(texts.slice(start, start + batchSize).map((t) => tokenizer.encode(t)), tokenizer.unknownId);
      parts.push(this.apply(batch));
      tf.dispose([batch.ids, batch.mask]);
    }
    if (parts.length === 1) return parts[0];
    const all = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return all;
  }

  dispose(): void {
    tf.dispose([...this.variables, this.timingScales]);
  }

  private transformerLayer(x: tf.Tensor3D, w: TransformerLayerWeights, keyBias: tf.Tensor): tf.Tensor3D {
    const [b, length, width] = x.shape;
    const normed = layerNorm(x, w.attentionNormScale as tf.Tensor1D, w.attentionNormBias as tf.Tensor1D, LAYER_NORM_EPSILON).reshape([b * length, width]);
    const qkv = normed.matMul(w.qkvKernel).add(w.qkvBias);
    const depth = width / HEADS;
    const heads = (t: tf.Tensor) => t.reshape([b, length, HEADS, depth]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
    const scores = tf.matMul(q.mul(1 / Math.sqrt(depth)), k, false, true).add(keyBias);
    const attended = tf.matMul(tf.softmax(scores), v).transpose([0, 2, 1, 3]).reshape([b * length, width]);
    const attentionOut = attended.matMul(w.outputKernel).add(w.outputBias);
    const residual = w.residualKernel ? x.reshape([b * length, width]).matMul(w.residualKernel).add(w.residualBias!) : x.reshape([b * length, width]);
    const h = attentionOut.add(residual).reshape([b, length, 512]) as tf.Tensor3D;
    const ffnIn = layerNorm(h, w.ffnNormScale as tf.Tensor1D, w.ffnNormBias as tf.Tensor1D, LAYER_NORM_EPSILON).reshape([b * length, 512]);
    const ffn = tf.relu(ffnIn.matMul(w.ffnKernel1).add(w.ffnBias1)).matMul(w.ffnKernel2).add(w.ffnBias2);
    return h.add(ffn.reshape([b, length, 512]));
  }
}

/** Added to the attention scores: -1e9 for padded keys, `[b, 1, 1, L]`. */
function keyBias(mask: tf.Tensor2D, b: number, length: number): tf.Tensor4D {
  return tf.sub(1, mask).mul(-1e9).reshape([b, 1, 1, length]);
}



/**
 * The trainable re-implementation of the Universal Sentence Encoder lite against the graph model it copies, the
 * lexical pair features, the pair fine-tuning loop on a tiny set, and the pre-trained loaders' errors on missing or
 * corrupt files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  SENTENCE_ENCODER_MAX_TOKENS,
  SentenceEncoder,
  TrainableSentenceEncoder,
  buildTransferHead,
  LEXICAL_PAIR_FEATURE_NAMES,
  lexicalPairFeatures,
  loadSentenceEncoder,
  sentenceEncoderPackageDir,
} from '../../lib/src/models';
import {
  LowerStateCache,
  fineTuneSentencePairs,
  lengthBucketedBatches,
  lexicalFeatureTensor,
  lexicalScaling,
  lowerStatesCacheable,
  pairHeadInputSize,
  predictPairs,
  scorePairProbabilities,
  sentencePairFeatures,
} from '../../lib/src/train';
import { Rng, initEngine } from '../../lib/src/engine';
import { assertClose, assertNoTensorLeak, useCpuBackend } from './support';

/** Largest difference allowed between the graph's and the re-implementation's embeddings (unit vectors). */
const EMBEDDING_TOLERANCE = 1e-5;

const SENTENCES = [
  'The cat sat on the mat.',
  'A cat was sitting on the mat.',
  'Stock markets fell sharply today.',
  '', // blank: encoded as the unknown token by both
  'Amrozi accused his brother, whom he called "the witness", of deliberately distorting his evidence.',
  // longer than the graph's 128-token limit: both keep the first 128 tokens
  Array.from({ length: 150 }, (_, i) => `word${i}`).join(' '),
];

describe('models: trainable sentence encoder (USE lite re-implemented over variables)', () => {
  let graph: SentenceEncoder;
  let encoder: TrainableSentenceEncoder;
  before(async () => {
    await useCpuBackend();
    graph = await loadSentenceEncoder();
    encoder = new TrainableSentenceEncoder(graph);
  });
  after(() => {
    graph?.dispose();
    encoder?.dispose();
  });

  it(`reproduces the graph model's embeddings on fixed sentences (max |difference| <= ${EMBEDDING_TOLERANCE})`, async () => {
    assert.ok(graph.tokenizer.encode(SENTENCES[5]).length > SENTENCE_ENCODER_MAX_TOKENS);
    const expected = await graph.embed(SENTENCES, { batchSize: 4 });
    const actual = await assertNoTensorLeak(() => {
      const e = encoder.embed(graph.tokenizer, SENTENCES, 4);
      const result = { shape: e.shape, values: e.dataSync() };
      e.dispose();
      return result;
    }, 'embedding');
    assert.deepEqual(actual.shape, [SENTENCES.length, 512]);
    assertClose(actual.values, expected.dataSync(), EMBEDDING_TOLERANCE, 'embeddings');
    expected.dispose();
  });

  it('gives known values on a fixed sentence (the package has not changed)', () => {
    const e = encoder.embed(graph.tokenizer, ['The cat sat on the mat.']);
    assertClose(e.dataSync().slice(0, 4), [0.04848, -0.00379, -0.06089, -0.05928], 1e-3, 'first embedding values');
    e.dispose();
  });

  it('counts its weights by part and freezes the parts not named', () => {
    assert.equal(encoder.parameterCount('embeddings'), 8002 * 256);
    assert.equal(encoder.parameterCount('output'), 512 * 512 + 512);
    const total = encoder.parameterCount();
    assert.equal(total, ['embeddings', 'layer0', 'layer1', 'output'].reduce((n, p) => n + encoder.parameterCount(p as never), 0));
    assert.equal(encoder.setTrainableParts(['layer1', 'output']), encoder.parameterCount('layer1') + encoder.parameterCount('output'));
    assert.equal(encoder.trainableVariables.length, 12 + 2);
    assert.throws(() => encoder.setTrainableParts(['layer9' as never]), /unknown encoder part 'layer9'/);
    assert.equal(encoder.setTrainableParts(['embeddings', 'layer0', 'layer1', 'output']), total);
  });

  it('gradients reach every part, and cpu and wasm agree on them', async () => {
    const gradientsOn = async (backend: 'cpu' | 'wasm') => {
      await initEngine({ backend, verbose: false });
      const copy = new TrainableSentenceEncoder(graph);
      const batch = copy.tokenBatch(SENTENCES.slice(0, 3).map((s) => graph.tokenizer.encode(s).slice(0, 6)));
      const target = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 512));
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.mul(copy.apply(batch), target)) as tf.Scalar), copy.variables);
      const norms = copy.variables.map((v) => tf.tidy(() => tf.norm(grads[v.name]).dataSync()[0]));
      const sample = tf.tidy(() => Array.from(grads[copy.variables[copy.variables.length - 1].name].flatten().slice(0, 64).dataSync()));
      tf.dispose([value, batch.ids, batch.mask, target, ...Object.values(grads)]);
      copy.dispose();
      return { norms, sample };
    };
    const cpu = await gradientsOn('cpu');
    let wasm: typeof cpu;
    try {
      wasm = await gradientsOn('wasm');
    } finally {
      await useCpuBackend();
    }
    cpu.norms.forEach((n, i) => assert.ok(n > 0, `variable ${i} gets no gradient`));
    assertClose(wasm.norms, cpu.norms, 1e-3 * Math.max(...cpu.norms), 'gradient norms');
    assertClose(wasm.sample, cpu.sample, 1e-5, 'output-bias gradient');
  });
});

describe('models: lexical pair features', () => {
  it('word, n-gram and character overlap, numbers, length, common subsequence, negation', () => {
    const f = lexicalPairFeatures('The cat sat on 3 mats.', 'the cat sat on 3 big mats');
    assert.equal(f.length, LEXICAL_PAIR_FEATURE_NAMES.length);
    const named = Object.fromEntries(LEXICAL_PAIR_FEATURE_NAMES.map((n, i) => [n, f[i]]));
    assert.equal(named.word_jaccard, 6 / 7);
    assert.equal(named.word_overlap_min, 6 / 7);
    assert.equal(named.word_overlap_max, 1);
    assert.equal(named.bigram_jaccard, 4 / 7); // shared: the cat, cat sat, sat on, on 3; union: 5 + 6 - 4
    assert.equal(named.same_numbers, 1);
    assert.equal(named.length_difference, 1 / 7);
    assert.equal(named.bigram_overlap_min, 4 / 6);
    assert.equal(named.bigram_overlap_max, 4 / 5);
    assert.equal(named.trigram_jaccard, 3 / 6); // shared: the cat sat, cat sat on, sat on 3; union: 4 + 5 - 3
    assert.equal(named.common_subsequence_min, 1); // all 6 words of the shorter, in order
    assert.equal(named.common_subsequence_max, 6 / 7);
    assert.equal(named.negation_mismatch, 0);
    assert.ok(named.character_trigram_jaccard > 0.6 && named.character_trigram_jaccard < 1);
    const byName = (a: string, b: string, name: (typeof LEXICAL_PAIR_FEATURE_NAMES)[number]) => lexicalPairFeatures(a, b)[LEXICAL_PAIR_FEATURE_NAMES.indexOf(name)];
    assert.equal(byName('Sales rose 5.2 %', 'Sales rose 6 %', 'same_numbers'), 0);
    assert.equal(byName('He did not go.', 'He went.', 'negation_mismatch'), 1);
    assert.equal(byName("He didn't go.", 'He never went.', 'negation_mismatch'), 0);
    assert.equal(byName('a b c d', 'd c b a', 'common_subsequence_min'), 1 / 4);
    assert.deepEqual(lexicalPairFeatures('', ''), [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('train: sentence-pair fine-tuning', () => {
  let graph: SentenceEncoder;
  before(async () => {
    await useCpuBackend();
    graph = await loadSentenceEncoder();
  });
  after(() => graph?.dispose());

  it('pair features are [u, v, |u-v|, u*v] (+ lexical)', () => {
    const u = tf.tensor2d([[1, -2]]);
    const v = tf.tensor2d([[3, 1]]);
    const f = sentencePairFeatures(u, v, tf.tensor2d([[0.5]]));
    assert.deepEqual(Array.from(f.dataSync()), [1, -2, 3, 1, 2, 3, 3, -2, 0.5]);
    tf.dispose([u, v, f]);
  });

  it("symmetric pair features are [|u-v|, u*v, u.v] (+ lexical), the same for (u, v) and (v, u), as wide as pairHeadInputSize says", () => {
    const u = tf.tensor2d([[1, -2], [0, 1]]);
    const v = tf.tensor2d([[3, 1], [1, 0]]);
    const lexical = tf.tensor2d([[0.5], [0.25]]);
    const f = sentencePairFeatures(u, v, lexical, 'symmetric');
    assert.deepEqual(Array.from(f.dataSync()), [2, 3, 3, -2, 1, 0.5, 1, 1, 0, 0, 0, 0.25]);
    const swapped = sentencePairFeatures(v, u, lexical, 'symmetric');
    assert.deepEqual(Array.from(swapped.dataSync()), Array.from(f.dataSync()));
    assert.equal(pairHeadInputSize(false, 2, 'symmetric'), 5);
    assert.equal(pairHeadInputSize(true, 512, 'symmetric'), 2 * 512 + 1 + LEXICAL_PAIR_FEATURE_NAMES.length);
    assert.equal(pairHeadInputSize(true), 4 * 512 + LEXICAL_PAIR_FEATURE_NAMES.length);
    tf.dispose([u, v, lexical, f, swapped]);
  });

  it('lexical scaling: standardised with the statistics of the pairs given (mean 0, std 1 on them; constant features kept finite)', () => {
    const pairs = [
      { sentence1: 'The cat sat on the mat.', sentence2: 'A cat sat on the mat.', label: 1 },
      { sentence1: 'Stocks fell 3 percent.', sentence2: 'The weather is sunny.', label: 0 },
      { sentence1: 'He bought a new car.', sentence2: 'He did not buy a new car.', label: 0 },
    ];
    const scaling = lexicalScaling(pairs);
    const raw = lexicalFeatureTensor(pairs).arraySync();
    const scaled = lexicalFeatureTensor(pairs, scaling).arraySync();
    LEXICAL_PAIR_FEATURE_NAMES.forEach((name, j) => {
      const column = scaled.map((r) => r[j]);
      const mean = column.reduce((a, b) => a + b, 0) / column.length;
      assertClose([mean], [0], 1e-6, `${name}: mean`);
      const constant = raw.every((r) => r[j] === raw[0][j]);
      const std = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
      assertClose([std], [constant ? 0 : 1], 1e-5, `${name}: std`);
      assertClose(column.map((x) => x * scaling.std[j] + scaling.mean[j]), raw.map((r) => r[j]), 1e-6, `${name}: back to raw`);
    });
    assert.throws(() => lexicalScaling([]), /no pairs/);
  });

  it('getWeights / setWeights start again from the same weights; a cache serves only its own encoder', () => {
    const encoder = new TrainableSentenceEncoder(graph);
    const other = new TrainableSentenceEncoder(graph);
    const saved = encoder.getWeights();
    const embedding = () => tf.tidy(() => Array.from(encoder.embed(graph.tokenizer, ['The cat sat on the mat.']).dataSync()));
    const before = embedding();
    tf.tidy(() => encoder.variables.forEach((v) => v.assign(tf.zerosLike(v))));
    assert.notDeepEqual(embedding(), before);
    encoder.setWeights(saved);
    assert.deepEqual(embedding(), before);
    assert.throws(() => encoder.setWeights(saved.slice(1)), /got \d+ tensors for the encoder's \d+ weights/);
    assert.throws(() => encoder.setWeights([saved[1], saved[0], ...saved.slice(2)]), /has shape/);
    tf.dispose(saved);
    encoder.setTrainableParts(['output']);
    const cache = new LowerStateCache(other, graph.tokenizer);
    const pair = [{ sentence1: 'Stocks fell.', sentence2: 'Shares fell.', label: 1 }];
    const head = buildTransferHead({ inputShape: [pairHeadInputSize(false)], outputs: 1, seed: 1 });
    assert.throws(() => fineTuneSentencePairs(encoder, graph.tokenizer, head, pair, pair, { cache }), /another encoder/);
    head.dispose();
    encoder.dispose();
    other.dispose();
  });

  it('the cache of frozen layer-0 states gives the same embeddings; length buckets hold every pair once', () => {
    const encoder = new TrainableSentenceEncoder(graph);
    encoder.setTrainableParts(['layer1', 'output']);
    assert.ok(encoder.lowerFrozen);
    assert.ok(lowerStatesCacheable(encoder) && lowerStatesCacheable(encoder, true), 'frozen lower part: cacheable, with or without layer 1 reading pairs');
    assert.ok(!lowerStatesCacheable(encoder, 'both layers'), 'a cross-encoder has no per-sentence lower states');
    const texts = ['The cat sat on the mat.', 'Stocks fell.', '', 'A much longer sentence about the cat that sat on the mat all day.'];
    const cache = new LowerStateCache(encoder, graph.tokenizer);
    cache.add([...texts, texts[0]]);
    assert.equal(cache.size, 4);
    const direct = encoder.embed(graph.tokenizer, texts);
    const { states, mask } = cache.batch(texts);
    const cached = encoder.applyUpper(states, mask);
    assertClose(cached.dataSync(), direct.dataSync(), 1e-5, 'embeddings through the cache');
    tf.dispose([direct, states, mask, cached]);
    assert.throws(() => cache.batch(['never seen']), /not in the cache/);
    encoder.setTrainableParts(['layer0', 'layer1']);
    assert.ok(!encoder.lowerFrozen);
    assert.ok(!lowerStatesCacheable(encoder));
    encoder.dispose();
    const lengths = Array.from({ length: 70 }, (_, i) => (i * 37) % 23);
    const batches = lengthBucketedBatches(lengths, 4, new Rng(5));
    assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_, i) => i));
    assert.ok(batches.slice(0, -1).every((b) => b.length === 4 || b.length === 2));
    const spread = batches.reduce((n, b) => n + Math.max(...b.map((i) => lengths[i])) - Math.min(...b.map((i) => lengths[i])), 0);
    assert.ok(spread < batches.length * 5, `batches should hold pairs of similar length (total spread ${spread})`);
  });

  it('reading a pair side by side: a sentence paired with itself keeps its own embedding; another partner changes it', () => {
    const encoder = new TrainableSentenceEncoder(graph);
    const [a, b, c] = ['The cat sat on the mat.', 'A cat was sitting on the mat today.', 'Stocks fell.'];
    const cache = new LowerStateCache(encoder, graph.tokenizer);
    cache.add([a, b, c]);
    const embed = (texts: string[], across: boolean) =>
      tf.tidy(() => {
        const { states, mask } = cache.batch(texts);
        return Array.from((across ? encoder.applyUpperAcross(states, mask) : encoder.applyUpper(states, mask)).dataSync());
      });
    const alone = embed([a, b], false);
    // Every key of [A; A] appears twice, so attention's average over them is A's own: the same embedding.
    assertClose(embed([a, b, a, b], true), [...alone, ...alone], 1e-5, 'a pair of identical sentences');
    const mixed = embed([a, b, c, c], true); // pairs (a, c) and (b, c), padded to different lengths
    const difference = Math.max(...mixed.slice(0, 512).map((x, i) => Math.abs(x - alone[i])));
    assert.ok(difference > 1e-3, `a's embedding should depend on its partner (largest change ${difference})`);
    assertClose([mixed.slice(0, 512).reduce((s, x) => s + x * x, 0)], [1], 1e-5, 'unit length');
    assert.throws(() => tf.tidy(() => { const { states, mask } = cache.batch([a, b, c]); encoder.applyUpperAcross(states, mask); }), /first sentences then second ones, got 3 rows/);
    encoder.dispose();
  });

  it('a cross-encoder (both layers side by side): a sentence paired with itself keeps its embedding; another partner changes it', () => {
    const encoder = new TrainableSentenceEncoder(graph);
    const [a, b, c] = ['The cat sat on the mat.', 'A cat was sitting on the mat today.', 'Stocks fell.'];
    const embed = (texts: string[], across: boolean) =>
      tf.tidy(() => {
        const batch = encoder.tokenBatch(texts.map((t) => graph.tokenizer.encode(t)), graph.tokenizer.unknownId);
        return Array.from((across ? encoder.applyAcross(batch) : encoder.apply(batch)).dataSync());
      });
    const alone = embed([a, b], false);
    assertClose(embed([a, b, a, b], true), [...alone, ...alone], 1e-5, 'a pair of identical sentences');
    const mixed = embed([a, b, c, c], true);
    const layer1Only = tf.tidy(() => {
      const batch = encoder.tokenBatch([a, b, c, c].map((t) => graph.tokenizer.encode(t)), graph.tokenizer.unknownId);
      return Array.from(encoder.applyUpperAcross(encoder.lowerStates(batch), batch.mask).dataSync());
    });
    const change = (x: number[], y: number[]) => Math.max(...x.slice(0, 512).map((v, i) => Math.abs(v - y[i])));
    assert.ok(change(mixed, alone) > 1e-3, `a's embedding should depend on its partner (largest change ${change(mixed, alone)})`);
    assert.ok(change(mixed, layer1Only) > 1e-4, 'layer 0 should read the partner too');
    assertClose([mixed.slice(0, 512).reduce((s, x) => s + x * x, 0)], [1], 1e-5, 'unit length');
    assert.throws(() => tf.tidy(() => encoder.applyAcross(encoder.tokenBatch([[5], [6], [7]]))), /first sentences then second ones, got 3 rows/);
    encoder.dispose();
  });

  it('fits a tiny set (training loss falls), keeps the best epoch, and leaves no tensors', async () => {
    const pairs = [
      { sentence1: 'The cat sat on the mat.', sentence2: 'A cat sat on the mat.', label: 1 },
      { sentence1: 'Stocks fell sharply today.', sentence2: 'The weather is sunny.', label: 0 },
      { sentence1: 'He bought a new car.', sentence2: 'He purchased a new car.', label: 1 },
      { sentence1: 'The film was long.', sentence2: 'Prices rose in May.', label: 0 },
    ];
    const encoder = new TrainableSentenceEncoder(graph);
    encoder.setTrainableParts(['layer1', 'output']);
    const head = buildTransferHead({ inputShape: [pairHeadInputSize(true)], outputs: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const result = fineTuneSentencePairs(encoder, graph.tokenizer, head, pairs, pairs, {
      epochs: 3,
      batchSize: 4,
      maxTokens: 8,
      lexical: true,
      encoderLearningRate: 1e-4,
      headLearningRate: 1e-2,
      warmupFraction: 0.25,
      patience: 3,
      seed: 3,
    });
    assert.equal(tf.memory().numTensors, before, 'fine-tuning leaked tensors');
    assert.equal(result.epochs.length, 3);
    assert.ok(result.epochs[2].loss < result.epochs[0].loss, `loss ${result.epochs.map((e) => e.loss)}`);
    const best = Math.max(...result.epochs.map((e) => e.valAccuracy));
    assert.equal(result.epochs[result.bestEpoch - 1].valAccuracy, best);
    const p = predictPairs(encoder, graph.tokenizer, head, pairs, { lexical: true, maxTokens: 8 });
    const accuracy = pairs.filter((pair, i) => (p[i] >= 0.5 ? 1 : 0) === pair.label).length / pairs.length;
    assert.equal(accuracy, best, 'the restored weights are the best epoch`s');
    assert.throws(() => fineTuneSentencePairs(encoder, graph.tokenizer, head, pairs, pairs, { lexical: false }), /head takes 2061 features but the pairs give 2048/);
    const byLoss = fineTuneSentencePairs(encoder, graph.tokenizer, head, pairs, pairs, {
      epochs: 3, batchSize: 2, maxTokens: 8, lexical: true, across: true, monitor: 'loss', patience: 3, encoderLearningRate: 1e-4, headLearningRate: 1e-2, seed: 4,
    });
    const lowest = Math.min(...byLoss.epochs.map((e) => e.valLoss));
    assert.equal(byLoss.epochs[byLoss.bestEpoch - 1].valLoss, lowest, 'monitor loss keeps the epoch of the lowest validation loss');
    const restored = scorePairProbabilities(pairs, predictPairs(encoder, graph.tokenizer, head, pairs, { lexical: true, maxTokens: 8, across: true }));
    assertClose([restored.logLoss], [lowest], 1e-5, 'validation loss of the restored weights');
    // Symmetric features and standardised lexical ones: the same pairs swapped get the same probabilities.
    const symmetricHead = buildTransferHead({ inputShape: [pairHeadInputSize(true, 512, 'symmetric')], outputs: 1, seed: 2 });
    const scaling = lexicalScaling(pairs);
    const symmetric = { maxTokens: 8, lexical: scaling, features: 'symmetric' as const, across: true };
    fineTuneSentencePairs(encoder, graph.tokenizer, symmetricHead, pairs, pairs, { ...symmetric, epochs: 1, batchSize: 2, encoderLearningRate: 1e-4, seed: 5 });
    const swappedPairs = pairs.map((p) => ({ ...p, sentence1: p.sentence2, sentence2: p.sentence1 }));
    assertClose(predictPairs(encoder, graph.tokenizer, symmetricHead, swappedPairs, symmetric), predictPairs(encoder, graph.tokenizer, symmetricHead, pairs, symmetric), 1e-5, 'swapped pairs');
    assert.equal(tf.memory().numTensors, before + symmetricHead.weights.length, 'fine-tuning leaked tensors');
    // A cross-encoder with layer 0 training too: order-invariant as well, and it refuses a cache of token states.
    encoder.setTrainableParts(['layer0', 'layer1', 'output']);
    const cross = { ...symmetric, across: 'both layers' as const };
    const weightsBefore = encoder.getWeights();
    fineTuneSentencePairs(encoder, graph.tokenizer, symmetricHead, pairs, pairs, { ...cross, epochs: 1, batchSize: 2, encoderLearningRate: 1e-3, seed: 6 });
    const layer0Moved = encoder.variables.some((v, i) => v.name.includes('/layer0/') && tf.tidy(() => tf.max(tf.abs(v.sub(weightsBefore[i]))).dataSync()[0]) > 0);
    assert.ok(layer0Moved, 'layer 0 should train');
    tf.dispose(weightsBefore);
    assertClose(predictPairs(encoder, graph.tokenizer, symmetricHead, swappedPairs, cross), predictPairs(encoder, graph.tokenizer, symmetricHead, pairs, cross), 1e-5, 'swapped pairs, cross-encoder');
    assert.equal(tf.memory().numTensors, before + symmetricHead.weights.length, 'cross-encoder fine-tuning leaked tensors');
    encoder.setTrainableParts(['layer1', 'output']);
    const cache = new LowerStateCache(encoder, graph.tokenizer, 8);
    assert.throws(() => fineTuneSentencePairs(encoder, graph.tokenizer, symmetricHead, pairs, pairs, { ...cross, cache, epochs: 1 }), /no token state can be cached/);
    symmetricHead.dispose();
    encoder.dispose();
    head.dispose();
  });
});

describe('models: pre-trained loaders offline, with missing or corrupt files', () => {
  let dir: string;
  before(async () => {
    await useCpuBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-encoder-'));
    fs.cpSync(sentenceEncoderPackageDir(), dir, { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a missing weight shard is named', async () => {
    const shard = path.join(dir, 'group1-shard7of7');
    const bytes = fs.readFileSync(shard);
    fs.rmSync(shard);
    try {
      await assert.rejects(loadSentenceEncoder(dir), /cannot read weight shard .*group1-shard7of7/);
    } finally {
      fs.writeFileSync(shard, bytes);
    }
  });

  it('a truncated weight shard is named as corrupt', async () => {
    const shard = path.join(dir, 'group1-shard3of7');
    const bytes = fs.readFileSync(shard);
    fs.writeFileSync(shard, bytes.subarray(0, 1000));
    try {
      await assert.rejects(loadSentenceEncoder(dir), /corrupt weight shard .*group1-shard3of7 \(1000 bytes\)/);
    } finally {
      fs.writeFileSync(shard, bytes);
    }
  });

  it('a corrupt model.json or vocabulary is named', async () => {
    const modelJson = path.join(dir, 'model.json');
    const text = fs.readFileSync(modelJson, 'utf8');
    fs.writeFileSync(modelJson, text.slice(0, 100));
    try {
      await assert.rejects(loadSentenceEncoder(dir), /cannot read model .*model\.json/);
    } finally {
      fs.writeFileSync(modelJson, text);
    }
    const vocab = path.join(dir, 'vocab.json');
    const words = fs.readFileSync(vocab, 'utf8');
    fs.writeFileSync(vocab, '[["▁the"');
    try {
      await assert.rejects(loadSentenceEncoder(dir), /cannot read the encoder vocabulary .*vocab\.json/);
    } finally {
      fs.writeFileSync(vocab, words);
    }
  });

  it('the intact copy loads from the folder alone (offline) and embeds', async () => {
    const encoder = await loadSentenceEncoder(dir);
    const e = await encoder.embed(['The cat sat on the mat.']);
    assertClose(e.dataSync().slice(0, 4), [0.04848, -0.00379, -0.06089, -0.05928], 1e-3, 'first embedding values');
    e.dispose();
    encoder.dispose();
  });
});

/**
 * Lesson 04's fine-tuning on MRPC: the trainable Universal Sentence Encoder lite (weights copied from the graph
 * model), pair features + lexical overlap features, a logistic-regression head first trained on the frozen
 * embeddings, then encoder and head trained together (warm-up, cosine decay, early stopping on validation). With
 * FT_SEEDS > 1, as many runs from the same pre-trained weights (other head initialisations and batch orders), and
 * their averaged probabilities (an ensemble). Prints validation figures per epoch and run; test scores only at the
 * end, after every choice is made. Slow (tens of minutes per run), needs DATASETS_DIR.
 * Settings by environment: FT_PARTS (comma list, default layer0,layer1,output), FT_LR (default 5e-5), FT_EPOCHS (3),
 * FT_BATCH (16), FT_LEXICAL (1), FT_ACROSS (0; 1: layer 1 reads the two sentences side by side; both: both layers do), FT_PATIENCE (1),
 * FT_MONITOR (accuracy | loss: the validation score that picks the epoch kept), FT_FEATURES (full | symmetric),
 * FT_SEEDS (1), FT_SCALE_LEXICAL (0; 1: lexical features standardised with the training pairs' statistics),
 * FT_SAVE (a file: every run's validation and test probabilities as JSON, for comparing combinations afterwards).
 * Run: `npx tsx scripts/checks/mrpc-fine-tune.ts`.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { courseSeed } from '@dl-course/lib/config';
import { initEngine } from '@dl-course/lib/engine';
import { loadMrpc, type MrpcPair } from '@dl-course/lib/data';
import { type SentenceEncoderPart, TrainableSentenceEncoder, buildTransferHead, loadSentenceEncoder } from '@dl-course/lib/models';
import {
  LowerStateCache,
  type LexicalOption,
  type PairFeatureSet,
  compileClassifier,
  fineTuneSentencePairs,
  fitModel,
  lexicalFeatureTensor,
  lexicalScaling,
  lowerStatesCacheable,
  pairHeadInputSize,
  predictPairs,
  scorePairProbabilities,
  sentencePairFeatures,
} from '@dl-course/lib/train';

async function main(): Promise<void> {
  const engine = await initEngine();
  const mrpc = loadMrpc({ quiet: true });
  const parts = (process.env.FT_PARTS ?? 'layer0,layer1,output').split(',') as SentenceEncoderPart[];
  const learningRate = Number(process.env.FT_LR ?? 5e-5);
  const epochs = Number(process.env.FT_EPOCHS ?? 3);
  const batchSize = Number(process.env.FT_BATCH ?? 16);
  const lexical: LexicalOption = (process.env.FT_LEXICAL ?? '1') !== '1' ? false : process.env.FT_SCALE_LEXICAL === '1' ? lexicalScaling(mrpc.train) : true;
  const across = process.env.FT_ACROSS === 'both' ? 'both layers' as const : process.env.FT_ACROSS === '1';
  const patience = Number(process.env.FT_PATIENCE ?? 1);
  const monitor = (process.env.FT_MONITOR ?? 'accuracy') as 'accuracy' | 'loss';
  const features = (process.env.FT_FEATURES ?? 'full') as PairFeatureSet;
  const seeds = Array.from({ length: Number(process.env.FT_SEEDS ?? 1) }, (_, k) => courseSeed() + k);
  const graph = await loadSentenceEncoder();
  const encoder = new TrainableSentenceEncoder(graph);
  const tokenizer = graph.tokenizer;
  graph.dispose();
  const pretrained = encoder.getWeights();

  const pairFeatures = (pairs: MrpcPair[]) => {
    const u = encoder.embed(tokenizer, pairs.map((p) => p.sentence1));
    const v = encoder.embed(tokenizer, pairs.map((p) => p.sentence2));
    const lex = lexical ? lexicalFeatureTensor(pairs, lexical === true ? undefined : lexical) : undefined;
    const f = sentencePairFeatures(u, v, lex, features);
    tf.dispose([u, v, lex]);
    return f;
  };
  const [xTrain, xVal] = [pairFeatures(mrpc.train), pairFeatures(mrpc.validation)];
  const labels = (pairs: MrpcPair[]) => tf.tensor1d(pairs.map((p) => p.label), 'int32');
  const trainable = encoder.setTrainableParts(parts);
  const cache = lowerStatesCacheable(encoder, across) ? new LowerStateCache(encoder, tokenizer) : undefined;
  cache?.add([...mrpc.train, ...mrpc.validation, ...mrpc.test].flatMap((p) => [p.sentence1, p.sentence2]));
  const predictOptions = { lexical, features, across, cache };
  const validationRuns: Float32Array[] = [];
  const testRuns: Float32Array[] = [];
  const started = performance.now();
  for (const seed of seeds) {
    encoder.setWeights(pretrained);
    const head = compileClassifier(buildTransferHead({ inputShape: [pairHeadInputSize(Boolean(lexical), 512, features)], outputs: 1, seed }), { optimizer: 'adam', learningRate: 1e-3 });
    await fitModel(head, { x: xTrain, y: labels(mrpc.train) }, { epochs: 60, batchSize: 32, seed, validation: { x: xVal, y: labels(mrpc.validation) }, earlyStopping: { monitor: 'val_loss', patience: 5 } });
    const frozen = scorePairProbabilities(mrpc.validation, predictPairs(encoder, tokenizer, head, mrpc.validation, predictOptions));
    console.log(JSON.stringify({ seed, stage: 'frozen head', valLoss: frozen.logLoss, valAccuracy: frozen.accuracy }));
    const result = fineTuneSentencePairs(encoder, tokenizer, head, mrpc.train, mrpc.validation, {
      epochs, batchSize, lexical, features, across, patience, monitor, seed, cache, encoderLearningRate: learningRate,
      onEpoch: (r) => console.log(JSON.stringify({ seed, ...r })),
    });
    validationRuns.push(predictPairs(encoder, tokenizer, head, mrpc.validation, predictOptions));
    testRuns.push(predictPairs(encoder, tokenizer, head, mrpc.test, predictOptions));
    const val = scorePairProbabilities(mrpc.validation, validationRuns[validationRuns.length - 1]);
    console.log(JSON.stringify({ seed, stage: 'fine-tuned', bestEpoch: result.bestEpoch, secondsPerEpoch: result.secondsPerEpoch, valLoss: val.logLoss, valAccuracy: val.accuracy }));
    head.dispose();
  }
  const mean = (runs: Float32Array[]) => runs[0].map((_, i) => runs.reduce((s, r) => s + r[i], 0) / runs.length);
  const ensembleVal = scorePairProbabilities(mrpc.validation, mean(validationRuns));
  console.log(JSON.stringify({ stage: 'ensemble', runs: seeds.length, valLoss: ensembleVal.logLoss, valAccuracy: ensembleVal.accuracy }));
  if (process.env.FT_SAVE) fs.writeFileSync(process.env.FT_SAVE, JSON.stringify({ seeds, validation: validationRuns.map((r) => Array.from(r)), test: testRuns.map((r) => Array.from(r)) }));
  // Test scores last: nothing above was chosen by them.
  const test = testRuns.map((p) => scorePairProbabilities(mrpc.test, p));
  const ensembleTest = scorePairProbabilities(mrpc.test, mean(testRuns));
  console.log(JSON.stringify({
    stage: 'test', backend: engine.backend, parts, trainable, learningRate, batchSize, lexical: lexical === true ? 'raw' : lexical ? 'standardised' : 'none', features, across, patience, monitor, seeds,
    minutes: (performance.now() - started) / 60000,
    testAccuracyPerRun: test.map((t) => t.accuracy), testF1PerRun: test.map((t) => t.binary?.f1),
    ensembleTestAccuracy: ensembleTest.accuracy, ensembleTestF1: ensembleTest.binary?.f1,
  }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Lesson 04's fine-tuning on MRPC: the trainable Universal Sentence Encoder lite (weights copied from the graph
 * model), pair features [u, v, |u-v|, u*v] + lexical overlap features, a logistic-regression head first trained on
 * the frozen embeddings, then encoder and head trained together (warm-up, cosine decay, early stopping on validation).
 * Prints JSON lines per epoch and the test scores. Slow (tens of minutes), needs DATASETS_DIR.
 * Settings by environment: FT_PARTS (comma list, default layer0,layer1,output), FT_LR (default 5e-5), FT_EPOCHS (3),
 * FT_BATCH (16), FT_LEXICAL (1), FT_ACROSS (0; 1: layer 1 reads the two sentences side by side), FT_PATIENCE (1),
 * FT_MONITOR (accuracy | loss: the validation score that picks the epoch kept).
 * Run: `npx tsx scripts/checks/mrpc-fine-tune.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '@dl-course/lib/engine';
import { loadMrpc, type MrpcPair } from '@dl-course/lib/data';
import { type SentenceEncoderPart, TrainableSentenceEncoder, buildTransferHead, loadSentenceEncoder } from '@dl-course/lib/models';
import {
  compileClassifier,
  fineTuneSentencePairs,
  fitModel,
  lexicalFeatureTensor,
  pairHeadInputSize,
  predictPairs,
  scorePairProbabilities,
  sentencePairFeatures,
} from '@dl-course/lib/train';

async function main(): Promise<void> {
  const engine = await initEngine();
  const parts = (process.env.FT_PARTS ?? 'layer0,layer1,output').split(',') as SentenceEncoderPart[];
  const learningRate = Number(process.env.FT_LR ?? 5e-5);
  const epochs = Number(process.env.FT_EPOCHS ?? 3);
  const batchSize = Number(process.env.FT_BATCH ?? 16);
  const lexical = (process.env.FT_LEXICAL ?? '1') === '1';
  const across = process.env.FT_ACROSS === '1';
  const patience = Number(process.env.FT_PATIENCE ?? 1);
  const monitor = (process.env.FT_MONITOR ?? 'accuracy') as 'accuracy' | 'loss';
  const mrpc = loadMrpc({ quiet: true });
  const graph = await loadSentenceEncoder();
  const encoder = new TrainableSentenceEncoder(graph);
  const tokenizer = graph.tokenizer;
  graph.dispose();

  const features = (pairs: MrpcPair[]) => {
    const u = encoder.embed(tokenizer, pairs.map((p) => p.sentence1));
    const v = encoder.embed(tokenizer, pairs.map((p) => p.sentence2));
    const lex = lexical ? lexicalFeatureTensor(pairs) : undefined;
    const f = sentencePairFeatures(u, v, lex);
    tf.dispose([u, v, lex]);
    return f;
  };
  let started = performance.now();
  const [xTrain, xVal] = [features(mrpc.train), features(mrpc.validation)];
  const labels = (pairs: MrpcPair[]) => tf.tensor1d(pairs.map((p) => p.label), 'int32');
  const head = compileClassifier(buildTransferHead({ inputShape: [pairHeadInputSize(lexical)], outputs: 1 }), { optimizer: 'adam', learningRate: 1e-3 });
  await fitModel(head, { x: xTrain, y: labels(mrpc.train) }, { epochs: 60, batchSize: 32, validation: { x: xVal, y: labels(mrpc.validation) }, earlyStopping: { monitor: 'val_loss', patience: 5 } });
  const frozen = scorePairProbabilities(mrpc.test, predictPairs(encoder, tokenizer, head, mrpc.test, { lexical }));
  console.log(JSON.stringify({ backend: engine.backend, stage: 'frozen', seconds: Math.round((performance.now() - started) / 1000), testAccuracy: frozen.accuracy, testF1: frozen.binary?.f1 }));

  const trainable = encoder.setTrainableParts(parts);
  started = performance.now();
  const result = fineTuneSentencePairs(encoder, tokenizer, head, mrpc.train, mrpc.validation, {
    epochs,
    batchSize,
    lexical,
    across,
    patience,
    monitor,
    encoderLearningRate: learningRate,
    onEpoch: (r) => {
      const test = scorePairProbabilities(mrpc.test, predictPairs(encoder, tokenizer, head, mrpc.test, { lexical, across }));
      console.log(JSON.stringify({ ...r, testAccuracy: test.accuracy, testF1: test.binary?.f1 }));
    },
  });
  const test = scorePairProbabilities(mrpc.test, predictPairs(encoder, tokenizer, head, mrpc.test, { lexical, across }));
  console.log(JSON.stringify({ stage: 'fine-tuned', parts, trainable, learningRate, batchSize, lexical, across, patience, monitor, bestEpoch: result.bestEpoch, secondsPerEpoch: result.secondsPerEpoch, minutes: (performance.now() - started) / 60000, testAccuracy: test.accuracy, testF1: test.binary?.f1 }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

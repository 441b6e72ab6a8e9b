/**
 * Lesson 04's second transfer: frozen Universal Sentence Encoder embeddings, pair features [u, v, |u-v|, u*v] and a
 * logistic-regression head (buildTransferHead, no hidden layer) on MRPC; prints test accuracy and F1.
 * Slow (minutes: embedding ~11,600 sentences), needs DATASETS_DIR. Run: `npx tsx scripts/checks/mrpc-sentence-encoder.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '@dl-course/lib/engine';
import { loadMrpc, type MrpcPair } from '@dl-course/lib/data';
import { SENTENCE_EMBEDDING_DIM, buildTransferHead, loadSentenceEncoder, pairFeatureTensor, type SentenceEncoder } from '@dl-course/lib/models';
import { compileClassifier, evaluateClassifier, fitModel } from '@dl-course/lib/train';

/** Pair features of every pair, `[n, 4 * 512]`. */
async function pairFeatures(encoder: SentenceEncoder, pairs: MrpcPair[]): Promise<tf.Tensor2D> {
  const u = await encoder.embed(pairs.map((p) => p.sentence1));
  const v = await encoder.embed(pairs.map((p) => p.sentence2));
  const features = pairFeatureTensor(u, v) as tf.Tensor2D;
  tf.dispose([u, v]);
  return features;
}

async function main(): Promise<void> {
  const engine = await initEngine();
  const mrpc = loadMrpc({ quiet: true });
  const encoder = await loadSentenceEncoder();
  const started = performance.now();
  const sets: tf.Tensor2D[] = [];
  for (const pairs of [mrpc.train, mrpc.validation, mrpc.test]) sets.push(await pairFeatures(encoder, pairs));
  const embedSeconds = (performance.now() - started) / 1000;
  const labels = [mrpc.train, mrpc.validation, mrpc.test].map((pairs) => tf.tensor1d(pairs.map((p) => p.label), 'int32'));
  const head = compileClassifier(buildTransferHead({ inputShape: [4 * SENTENCE_EMBEDDING_DIM], outputs: 1 }), { optimizer: 'adam', learningRate: 1e-3 });
  const history = await fitModel(head, { x: sets[0], y: labels[0] }, {
    epochs: 60,
    batchSize: 32,
    validation: { x: sets[1], y: labels[1] },
    earlyStopping: { monitor: 'val_loss', patience: 5 },
  });
  const report = await evaluateClassifier(head, sets[2], labels[2]);
  console.log(
    JSON.stringify({
      backend: engine.backend,
      sentencesEmbedded: 2 * (mrpc.train.length + mrpc.validation.length + mrpc.test.length),
      embedSeconds: Math.round(embedSeconds),
      epochsRun: history.epochs.length,
      bestEpoch: history.bestEpoch,
      testAccuracy: report.accuracy,
      testF1: report.binary?.f1,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Lesson 03 end to end on real data: a siamese bidirectional LSTM with attention pooling over frozen GloVe vectors,
 * pair features [u, v, |u-v|, u*v] and a small head, trained with fitModel on MRPC; prints test accuracy and F1.
 * Slow (minutes), needs DATASETS_DIR. Run: `npx tsx scripts/checks/mrpc-siamese.ts [epochs]`.
 */
import { initEngine } from '@dl-course/lib/engine';
import { buildVocabulary, embeddingMatrix, encodePairs, loadGlove, loadMrpc } from '@dl-course/lib/data';
import { buildRnnEncoder, buildSiamesePairClassifier } from '@dl-course/lib/models';
import { compileClassifier, evaluateClassifier, fitModel } from '@dl-course/lib/train';

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 10);
  const engine = await initEngine();
  const mrpc = loadMrpc({ quiet: true });
  const vocab = buildVocabulary(mrpc.train.flatMap((p) => [p.sentence1, p.sentence2]), { minFreq: 1 });
  const glove = await loadGlove({ dim: 100, vocabulary: vocab.tokens });
  const { matrix, coverage } = embeddingMatrix(vocab, glove);
  const maxLen = 40;
  const [train, validation, test] = [mrpc.train, mrpc.validation, mrpc.test].map((pairs) => encodePairs(pairs, vocab, { maxLen }));
  const encoder = buildRnnEncoder({
    kind: 'lstm',
    vocabSize: vocab.size,
    embeddingDim: glove.dim,
    embeddingMatrix: matrix,
    units: 64,
    bidirectional: true,
    pooling: 'attention',
    sequenceLength: maxLen,
  });
  const model = compileClassifier(buildSiamesePairClassifier(encoder, { hidden: [64], dropout: 0.3 }), { optimizer: 'adam', learningRate: 1e-3 });
  const history = await fitModel(model, { x: [train.ids1, train.ids2], y: train.labels }, {
    epochs,
    batchSize: 32,
    validation: { x: [validation.ids1, validation.ids2], y: validation.labels },
    earlyStopping: { monitor: 'val_acc', patience: 3 },
    verbose: true,
  });
  const report = await evaluateClassifier(model, [test.ids1, test.ids2], test.labels);
  console.log(
    JSON.stringify({
      backend: engine.backend,
      vocabulary: vocab.size,
      gloveCoverage: coverage,
      epochsRun: history.epochs.length,
      bestEpoch: history.bestEpoch,
      examplesPerSecond: Math.round(history.examplesPerSecond),
      testAccuracy: report.accuracy,
      testF1: report.binary?.f1,
      majorityBaseline: test.labels.sum().dataSync()[0] / test.labels.shape[0],
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

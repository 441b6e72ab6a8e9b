/**
 * Trains the course MNIST CNN with `fitModel` and reports test accuracy, to check the lesson-02 target (>= 99.2%).
 * Slow (minutes): not part of `npm test`. Run: `npx tsx scripts/checks/mnist-cnn-accuracy.ts [epochs] [limit]`.
 * Uses the backend `initEngine` picks (TFJS_BACKEND forces one).
 */
import { initEngine } from '@dl-course/lib/engine';
import { loadMnist } from '@dl-course/lib/data';
import { buildMnistCnn } from '@dl-course/lib/models';
import { compileClassifier, evaluateClassifier, fitModel } from '@dl-course/lib/train';

async function main(): Promise<void> {
  const epochs = Number(process.argv[2] ?? 6);
  const limit = process.argv[3] ? Number(process.argv[3]) : undefined;
  const engine = await initEngine();
  const data = loadMnist({ limit });
  const model = compileClassifier(buildMnistCnn({ seed: 42 }), { optimizer: 'adam', learningRate: 1e-3 });
  const history = await fitModel(model, data.train, {
    epochs,
    batchSize: 64,
    validation: data.validation,
    earlyStopping: { monitor: 'val_acc', patience: 2 },
    verbose: true,
  });
  const test = await evaluateClassifier(model, data.test.x, data.test.y);
  console.log(
    JSON.stringify({
      backend: engine.backend,
      trainExamples: data.train.y.shape[0],
      epochsRun: history.epochs.length,
      bestEpoch: history.bestEpoch,
      examplesPerSecond: Math.round(history.examplesPerSecond),
      totalSeconds: Math.round(history.totalSeconds),
      testAccuracy: test.accuracy,
      testMacroF1: test.macro.f1,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Training speed of a GRU sentence encoder, fused (`fusedGru`, the default of `buildRnnEncoder` for `kind: 'gru'`)
 * vs stock (`fused: false`, `tf.layers.gru` with masking), in one run on the same backend and data.
 *
 *   npx tsx scripts/checks/gru-encoder-speed.ts [--backend wasm|cpu] [--steps 10] [--rounds 3] [--units 64] [--bidirectional]
 *
 * The model: token ids [32, 40] (row lengths 8..40, padding at the end) -> embedding 64 -> (bi)GRU -> mean pooling
 * -> dense sigmoid, binary cross-entropy, Adam. Rounds alternate fused and stock (so a busy machine slows both alike);
 * each round starts with 2 warm-up steps. Prints the median examples/s (wall clock) of each, the median examples per
 * CPU-second of this process (less disturbed by other jobs on a shared machine), and the ratios.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '@dl-course/lib/engine';
import { buildRnnEncoder } from '@dl-course/lib/models';
import { choice, positiveInteger } from '../tooling/cli';

const BATCH = 32;
const TIME = 40;
const VOCAB = 5000;

function data(): { ids: tf.Tensor2D; y: tf.Tensor2D } {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648);
  const values: number[] = [];
  for (let b = 0; b < BATCH; b++) {
    const length = 8 + (next() % (TIME - 7));
    for (let t = 0; t < TIME; t++) values.push(t < length ? 1 + (next() % (VOCAB - 1)) : 0);
  }
  const labels = Array.from({ length: BATCH }, () => [next() % 2]);
  return { ids: tf.tensor2d(values, [BATCH, TIME], 'int32'), y: tf.tensor2d(labels) };
}

function classifier(fused: boolean, units: number, bidirectional: boolean): tf.LayersModel {
  const encoder = buildRnnEncoder({ kind: 'gru', vocabSize: VOCAB, embeddingDim: 64, units, bidirectional, pooling: 'mean', fused, seed: 1 });
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(encoder.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: encoder.inputs, outputs: output });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      steps: { type: 'string' },
      rounds: { type: 'string' },
      units: { type: 'string' },
      bidirectional: { type: 'boolean' },
    },
  });
  const backend = choice('--backend', values.backend, ['wasm', 'cpu'] as const, 'wasm');
  const steps = positiveInteger('--steps', values.steps, 10);
  const rounds = positiveInteger('--rounds', values.rounds, 3);
  const units = positiveInteger('--units', values.units, 64);
  const bidirectional = values.bidirectional ?? false;
  await initEngine({ backend, verbose: false });
  const { ids, y } = data();
  const variants = [true, false].map((fused) => {
    const model = classifier(fused, units, bidirectional);
    const optimizer = tf.train.adam(1e-3);
    const step = () =>
      optimizer.minimize(() => tf.mean(tf.metrics.binaryCrossentropy(y, model.apply(ids, { training: true }) as tf.Tensor)) as tf.Scalar, true)!;
    return { name: fused ? 'fused' : 'stock', step, rates: [] as number[], cpuRates: [] as number[] };
  });
  const cpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      for (let i = 0; i < 2; i++) variant.step().dispose();
      const start = performance.now();
      const cpuStart = cpuMs();
      for (let i = 0; i < steps; i++) {
        const loss = variant.step();
        if (i === steps - 1) loss.dataSync();
        loss.dispose();
      }
      variant.rates.push((steps * BATCH * 1000) / (performance.now() - start));
      variant.cpuRates.push((steps * BATCH * 1000) / (cpuMs() - cpuStart));
    }
  }
  const median = (rates: number[]) => [...rates].sort((a, b) => a - b)[rates.length >> 1];
  const [fused, stock] = variants.map((v) => median(v.rates));
  const [fusedCpu, stockCpu] = variants.map((v) => median(v.cpuRates));
  const shape = `${bidirectional ? 'bidirectional ' : ''}GRU(${units}) encoder, batch ${BATCH} x ${TIME} steps, on ${backend}`;
  for (const v of variants) {
    console.log(
      `${shape}, ${v.name}: ${median(v.rates).toFixed(0)} training examples/s (rounds: ${v.rates.map((r) => r.toFixed(0)).join(', ')}); ` +
        `${median(v.cpuRates).toFixed(0)} examples per CPU-second`,
    );
  }
  console.log(`fused / stock: ${(fused / stock).toFixed(2)}x wall clock, ${(fusedCpu / stockCpu).toFixed(2)}x per CPU-second`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

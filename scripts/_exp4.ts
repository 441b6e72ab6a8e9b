import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../lib/src/kernels';
import { buildReferenceModel } from './bench/models';
import { syntheticData } from './bench/synthetic';
import { epochRunner } from './bench/training-loops';
async function main() {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  const name = (process.argv[2] ?? 'mlp') as any;
  const data = syntheticData(name, 64 * 20);
  const a = epochRunner(buildReferenceModel(name), data, 'fit', 64);
  const b = epochRunner(buildReferenceModel(name), data, 'custom', 64);
  for (let r = 0; r < 4; r++) for (const [label, run] of [['fit', a], ['custom', b]] as const) {
    const t = performance.now(); await run.epoch(64 * 20); console.log(label, (1280 / ((performance.now() - t) / 1000)).toFixed(0));
  }
}
main();

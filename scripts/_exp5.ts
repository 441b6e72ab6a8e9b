import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../lib/src/kernels';
import { lstmSequence } from '../lib/src/kernels/lstm-sequence';
function time(name: string, f: () => tf.Tensor | tf.Tensor[], reps = 20) {
  for (let i = 0; i < 3; i++) tf.dispose(f());
  const t = performance.now();
  for (let i = 0; i < reps; i++) tf.dispose(f());
  console.log(name.padEnd(40), ((performance.now() - t) / reps).toFixed(3), 'ms');
}
async function main() {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  const table = tf.randomNormal([5000, 64]); const idx = tf.randomUniform([64 * 40], 0, 5000, 'int32');
  time('gather', () => tf.gather(table, idx));
  const x = tf.randomNormal([64, 40, 64]) as tf.Tensor3D;
  const w = { kernel: tf.randomNormal([64, 256], 0, 0.1) as tf.Tensor2D, recurrentKernel: tf.randomNormal([64, 256], 0, 0.1) as tf.Tensor2D, bias: tf.zeros([256]) as tf.Tensor1D };
  time('lstm fwd', () => lstmSequence(x, w, 'sigmoid'));
  time('lstm fwd+bwd', () => tf.grads((a: tf.Tensor, k: tf.Tensor, r: tf.Tensor) => tf.sum(lstmSequence(a as tf.Tensor3D, { kernel: k as tf.Tensor2D, recurrentKernel: r as tf.Tensor2D, bias: w.bias }, 'sigmoid')))([x, w.kernel, w.recurrentKernel]));
  const h = tf.randomNormal([64, 64]);
  time('matmul 64x64x256 x40', () => { const out: tf.Tensor[] = []; for (let i = 0; i < 40; i++) out.push(tf.matMul(h, w.recurrentKernel)); return out; });
}
main();

/**
 * Helpers for the wasm-vs-cpu (and webgpu-vs-cpu) checks: run the same computation on both backends in one process
 * (inputs rebuilt from plain arrays on each backend) and compare the results element by element.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'assert';
import { Rng } from '../../lib/src/engine';
import { registerCourseKernels } from '../../lib/src/kernels';

export type BackendUnderTest = 'cpu' | 'wasm' | 'webgpu';

export interface PlainTensor {
  shape: number[];
  values: number[];
  dtype?: 'float32' | 'int32';
}

let backendBefore: string | undefined;

/** Load tfjs-backend-wasm, add the course kernels and make sure both backends can be selected. */
export async function prepareBackends(): Promise<void> {
  backendBefore ??= tf.getBackend();
  require('@tensorflow/tfjs-backend-wasm');
  registerCourseKernels();
  for (const name of ['cpu', 'wasm']) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  }
}

/** Give the test files that run after ours (same mocha process) the backend they started with. */
export async function restoreBackend(): Promise<void> {
  if (backendBefore !== undefined && tf.getBackend() !== backendBefore) await tf.setBackend(backendBefore);
}

export function randomTensor(rng: Rng, shape: number[], scale = 1): PlainTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Array.from({ length: size }, () => rng.uniform(-scale, scale)) };
}

export function toTensor(plain: PlainTensor): tf.Tensor {
  return tf.tensor(plain.values, plain.shape, plain.dtype ?? 'float32');
}

/** Run `compute` on `backend` and bring every result back as plain numbers. */
export async function computeOn(
  backend: BackendUnderTest,
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<PlainTensor[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(() => {
    const out = compute();
    return Array.isArray(out) ? out : [out];
  });
  const plain = results.map((t) => ({ shape: t.shape.slice(), values: Array.from(t.dataSync()) }));
  tf.dispose(results);
  return plain;
}

/**
 * Assert |actual - expected| <= rtol*|expected| + atol elementwise, with atol scaled to the largest expected
 * magnitude (float32 sums of many products lose absolute, not relative, precision near zero).
 */
export function assertAllClose(actual: PlainTensor, expected: PlainTensor, label: string, rtol = 1e-4, atolFloor = 1e-8): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const scale = expected.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const atol = Math.max(1e-5 * scale, atolFloor);
  let worst = -1;
  let worstExcess = 0;
  expected.values.forEach((e, i) => {
    const a = actual.values[i];
    const excess = Math.abs(a - e) - (rtol * Math.abs(e) + atol);
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(a))) {
      worst = i;
      worstExcess = excess;
    }
  });
  if (worst >= 0) {
    assert.fail(
      `${label}: element ${worst} is ${actual.values[worst]} on ${tf.getBackend()} but ${expected.values[worst]} on cpu ` +
        `(rtol ${rtol}, atol ${atol.toExponential(2)}, shape [${expected.shape}])`,
    );
  }
}

/** Compute on cpu and on wasm and compare every output. */
export async function assertWasmMatchesCpu(
  label: string,
  compute: () => tf.Tensor | tf.Tensor[],
  rtol = 1e-4,
): Promise<void> {
  const expected = await computeOn('cpu', compute);
  const actual = await computeOn('wasm', compute);
  assert.equal(actual.length, expected.length, `${label}: number of outputs`);
  actual.forEach((a, i) => assertAllClose(a, expected[i], `${label} [output ${i}]`, rtol));
}

/**
 * The most float32 arithmetic one thread of 128-bit WebAssembly SIMD does here: a loop of independent f32x4
 * multiply-then-add chains (WebAssembly SIMD has no fused multiply-add), no memory traffic. No kernel written in
 * wasm SIMD can go faster than this on one thread; the bench compares it with what the kernels reach.
 */
import { assembleModule, f32, i32, Routine, v128 } from '../../lib/src/kernels/simd/wasm-assembler';

/** Independent chains: enough to cover the latency of a multiply and an add on every SIMD port. */
const CHAINS = 12;
/** Floating-point operations of one loop iteration: per chain a 4-lane multiply and a 4-lane add. */
const FLOPS_PER_ITERATION = CHAINS * 8;

function peakModule(): Uint8Array {
  const routine = new Routine('peak');
  const iterations = routine.param('iterations', i32);
  const k = routine.local('k', i32);
  const chains = Array.from({ length: CHAINS }, (_, c) => routine.local(`acc${c}`, v128));
  const [scale, shift] = [routine.local('scale', v128), routine.local('shift', v128)];
  const body = routine.body;
  body.f32(0.999).f32x4Splat().set(scale); // acc -> 0.999 acc + 0.001 stays near 1: no overflow, no denormals
  body.f32(0.001).f32x4Splat().set(shift);
  chains.forEach((acc, c) => body.f32(1 + c / CHAINS).f32x4Splat().set(acc));
  body.forRange(k, (c) => void c.i32(0), (c) => void c.get(iterations), 1, (c) => {
    for (const acc of chains) c.get(acc).get(scale).f32x4Mul().get(shift).f32x4Add().set(acc);
  });
  // Store the sum so that no engine can drop the loop as dead code.
  body.i32(0);
  chains.forEach((acc, c) => (c === 0 ? body.get(acc) : body.get(acc).f32x4Add()));
  body.v128Store();
  return assembleModule([routine.definition()], false);
}

/** GFLOPS of the peak loop on this thread: the best of `repeats` runs of about `seconds / repeats` each. */
export function wasmSimdPeakGflops(seconds = 1, repeats = 10): number {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(peakModule()), { env: { memory } });
  const peak = instance.exports.peak as (iterations: number) => void;
  for (let i = 0; i < 10; i++) peak(1e5); // long enough for the engine to finish its optimised compile
  let iterations = 1e6;
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    peak(iterations);
    const elapsed = (performance.now() - start) / 1000;
    best = Math.max(best, (iterations * FLOPS_PER_ITERATION) / elapsed / 1e9);
    iterations = Math.max(1e5, Math.round((iterations * (seconds / repeats)) / Math.max(elapsed, 1e-4)));
  }
  if (!Number.isFinite(new Float32Array(memory.buffer, 0, 4)[0])) throw new Error('peak loop diverged');
  return best;
}

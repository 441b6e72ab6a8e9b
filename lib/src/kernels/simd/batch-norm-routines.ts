/**
 * Batch normalisation over channels-last [rows, cols] float32 data, cols = channels, four channels at a time (a
 * scalar loop for the last cols % 4). Per-channel arrays are float32 [cols]; every pointer is a byte offset.
 *   batchNormSquaredDeviations: out = sum over rows of (x - mean)^2   (the variance, times the rows)
 *   batchNormApply:     out = (x - mean) * slope + shift
 *   batchNormGradSums:  sumDy = sum over rows of dy;  sumDyNormalised = sum over rows of dy (x - mean) inverseStd
 *   batchNormGradInput: dx = slope (dy - meanDy - (x - mean) inverseStd meanDyNormalised)
 * (the forward pass and the two passes of the closed-form training gradient: kernels/batch-norm-kernels.ts).
 */
import { Lanes, VECTOR } from './lanes';
import { sweepRows } from './sweeps';
import { Code, f32, FunctionDefinition, i32, Local, Routine, v128 } from './wasm-assembler';

export const BATCH_NORM_SQUARED_DEVIATIONS_PARAMS = ['x', 'mean', 'out', 'rows', 'cols'] as const;
export const BATCH_NORM_APPLY_PARAMS = ['x', 'mean', 'slope', 'shift', 'out', 'rows', 'cols'] as const;
export const BATCH_NORM_GRAD_SUMS_PARAMS = ['dy', 'x', 'mean', 'inverseStd', 'sumDy', 'sumDyNormalised', 'rows', 'cols'] as const;
export const BATCH_NORM_GRAD_INPUT_PARAMS = ['dy', 'x', 'mean', 'inverseStd', 'slope', 'meanDy', 'meanDyNormalised', 'dx', 'rows', 'cols'] as const;

/** Pushes (x - mean) * inverseStd: the normalised element. */
function normalised(c: Code, lanes: Lanes, at: (ptr: Local) => Code, channel: (ptr: Local) => Code, x: Local, mean: Local, inverseStd: Local): void {
  lanes.load(at(x));
  lanes.load(channel(mean));
  lanes.sub(c);
  lanes.load(channel(inverseStd));
  lanes.mul(c);
}

/** `cols` float32 zeros from `ptr` (byte by 4-byte word: cols is small). */
function zeroChannels(routine: Routine, cols: Local, ptrs: Local[]): void {
  const { k: K, end: END } = routine.locals(['k', 'end'], i32);
  routine.body.get(cols).i32(2).i32Shl().set(END);
  routine.body.forRange(K, (c) => c.i32(0), (c) => c.get(END), 4, (c) => {
    for (const ptr of ptrs) c.get(ptr).get(K).i32Add().i32(0).i32Store();
  });
}

export function batchNormSquaredDeviationsDefinition(): FunctionDefinition {
  const routine = new Routine('batchNormSquaredDeviations');
  const { x, mean, out, rows, cols } = routine.params(BATCH_NORM_SQUARED_DEVIATIONS_PARAMS);
  const { deviation: D } = routine.locals(['deviation'], v128);
  const { deviationScalar: DS } = routine.locals(['deviationScalar'], f32);
  zeroChannels(routine, cols, [out]);
  sweepRows(routine, rows, cols, (c, lanes, at, channel) => {
    const deviation = lanes === VECTOR ? D : DS;
    lanes.load(at(x));
    lanes.load(channel(mean));
    lanes.sub(c).set(deviation);
    channel(out);
    lanes.load(channel(out));
    lanes.mul(c.get(deviation).get(deviation));
    lanes.add(c);
    lanes.store(c);
  });
  return routine.definition();
}

export function batchNormApplyDefinition(): FunctionDefinition {
  const routine = new Routine('batchNormApply');
  const { x, mean, slope, shift, out, rows, cols } = routine.params(BATCH_NORM_APPLY_PARAMS);
  sweepRows(routine, rows, cols, (c, lanes, at, channel) => {
    at(out);
    normalised(c, lanes, at, channel, x, mean, slope);
    lanes.load(channel(shift));
    lanes.add(c);
    lanes.store(c);
  });
  return routine.definition();
}

export function batchNormGradSumsDefinition(): FunctionDefinition {
  const routine = new Routine('batchNormGradSums');
  const { dy, x, mean, inverseStd, sumDy, sumDyNormalised, rows, cols } = routine.params(BATCH_NORM_GRAD_SUMS_PARAMS);
  zeroChannels(routine, cols, [sumDy, sumDyNormalised]);
  sweepRows(routine, rows, cols, (c, lanes, at, channel) => {
    channel(sumDy);
    lanes.load(channel(sumDy));
    lanes.load(at(dy));
    lanes.add(c);
    lanes.store(c);
    channel(sumDyNormalised);
    lanes.load(channel(sumDyNormalised));
    lanes.load(at(dy));
    normalised(c, lanes, at, channel, x, mean, inverseStd);
    lanes.mul(c);
    lanes.add(c);
    lanes.store(c);
  });
  return routine.definition();
}

export function batchNormGradInputDefinition(): FunctionDefinition {
  const routine = new Routine('batchNormGradInput');
  const { dy, x, mean, inverseStd, slope, meanDy, meanDyNormalised, dx, rows, cols } = routine.params(BATCH_NORM_GRAD_INPUT_PARAMS);
  sweepRows(routine, rows, cols, (c, lanes, at, channel) => {
    at(dx);
    lanes.load(at(dy));
    lanes.load(channel(meanDy));
    lanes.sub(c);
    normalised(c, lanes, at, channel, x, mean, inverseStd);
    lanes.load(channel(meanDyNormalised));
    lanes.mul(c);
    lanes.sub(c);
    lanes.load(channel(slope));
    lanes.mul(c);
    lanes.store(c);
  });
  return routine.definition();
}

/**
 * Element-wise binary ops where one operand is broadcast: a single value (`...Scalar`: out[i] = x[i] op y[0]) or
 * one value per column of the last axis (`...Row`: out[r, c] = x[r, c] op y[c]). `...First` variants put the
 * broadcast operand first (y op x), for the ops that do not commute. float32, byte offsets.
 */
import { Lanes, VECTOR } from './lanes';
import { sweepFlat, sweepRows } from './sweeps';
import { Code, f32, FunctionDefinition, Local, Routine, v128 } from './wasm-assembler';

export const BROADCAST_OPS = ['add', 'sub', 'mul', 'div', 'min', 'max'] as const;
export type BroadcastOp = (typeof BROADCAST_OPS)[number];
export const NON_COMMUTING: readonly BroadcastOp[] = ['sub', 'div'];

export const BROADCAST_SCALAR_PARAMS = ['x', 'y', 'out', 'n'] as const;
export const BROADCAST_ROW_PARAMS = ['x', 'y', 'out', 'rows', 'cols'] as const;

export function broadcastRoutineName(op: BroadcastOp, form: 'Scalar' | 'Row', broadcastFirst: boolean): string {
  return `${op}${form}${broadcastFirst ? 'First' : ''}`;
}

/** Applies `op` to the two values on the stack (in stack order). */
function apply(lanes: Lanes, op: BroadcastOp, c: Code): void {
  lanes[op](c);
}

export function broadcastScalarDefinition(op: BroadcastOp, broadcastFirst: boolean): FunctionDefinition {
  const routine = new Routine(broadcastRoutineName(op, 'Scalar', broadcastFirst));
  const { x, y, out, n } = routine.params(BROADCAST_SCALAR_PARAMS);
  const { yScalar } = routine.locals(['yScalar'], f32);
  const { yVector } = routine.locals(['yVector'], v128);
  routine.body.get(y).f32Load().set(yScalar);
  routine.body.get(yScalar).f32x4Splat().set(yVector);
  sweepFlat(routine, n, (c, lanes, at) => {
    const value: Local = lanes === VECTOR ? yVector : yScalar;
    at(out);
    if (broadcastFirst) {
      c.get(value);
      lanes.load(at(x));
    } else {
      lanes.load(at(x)).get(value);
    }
    apply(lanes, op, c);
    lanes.store(c);
  });
  return routine.definition();
}

export function broadcastRowDefinition(op: BroadcastOp, broadcastFirst: boolean): FunctionDefinition {
  const routine = new Routine(broadcastRoutineName(op, 'Row', broadcastFirst));
  const { x, y, out, rows, cols } = routine.params(BROADCAST_ROW_PARAMS);
  sweepRows(routine, rows, cols, (c, lanes, at, channel) => {
    at(out);
    if (broadcastFirst) {
      lanes.load(channel(y));
      lanes.load(at(x));
    } else {
      lanes.load(at(x));
      lanes.load(channel(y));
    }
    apply(lanes, op, c);
    lanes.store(c);
  });
  return routine.definition();
}

/** Every variant: Scalar and Row for each op, and their First forms for the ops that do not commute. */
export function broadcastRoutineDefinitions(): FunctionDefinition[] {
  return BROADCAST_OPS.flatMap((op) =>
    [false, ...(NON_COMMUTING.includes(op) ? [true] : [])].flatMap((first) => [broadcastScalarDefinition(op, first), broadcastRowDefinition(op, first)]),
  );
}

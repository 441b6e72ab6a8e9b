/**
 * The course's SIMD routines on every thread the wasm backend uses: helper workers instantiate the same module over
 * the backend's shared memory, and each takes a list of routine calls through its own shared mailbox while the
 * calling thread runs its own list.
 *
 * Why: XNNPACK spreads its products and convolutions over the backend's thread pool, but the course's routines ran
 * on the calling thread alone, so on a 2-core machine a routine had to be twice as fast as XNNPACK to beat it.
 * Work is split so that each output element is still computed by one thread in the same order: same numbers.
 */
import { Worker } from 'node:worker_threads';

/** One call of a routine, with its arguments in the routine's parameter order. */
export interface PositionalCall {
  routine: number;
  args: number[];
}

/** Doubles per mailbox: the call list is [count, then per call: routine index, argument count, arguments...]. */
const MAILBOX_DOUBLES = 1 << 16;
/** A worker that does not answer within this long is taken for dead (the calling thread then does its share). */
const ANSWER_TIMEOUT_MS = 60_000;

// The worker: instantiate the module on the shared memory, then run each posted list of calls. Control words:
// [0] the sequence number of the last posted list, [1] the last finished one, [2] 1 if that list failed.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, mailbox, names } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const routines = names.map((name) => exports[name]);
const control = new Int32Array(mailbox, 0, 4);
const data = new Float64Array(mailbox, 16);
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  let failed = 0;
  try {
    for (let c = 0, p = 1; c < data[0]; c++) {
      const count = data[p + 1];
      routines[data[p]](...data.subarray(p + 2, p + 2 + count));
      p += 2 + count;
    }
  } catch (error) {
    failed = 1;
  }
  Atomics.store(control, 2, failed);
  Atomics.store(control, 1, seen);
  Atomics.notify(control, 1);
}
`;

interface Helper {
  worker: Worker;
  control: Int32Array;
  data: Float64Array;
  posted: number;
}

/** Helper workers for one module and memory. */
export class SimdThreads {
  private readonly helpers: Helper[] = [];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, names: string[], helpers: number) {
    for (let i = 0; i < helpers; i++) {
      const mailbox = new SharedArrayBuffer(16 + 8 * MAILBOX_DOUBLES);
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, mailbox, names } });
      // Waiting helpers must not keep a finished script or test run alive.
      worker.unref();
      this.helpers.push({ worker, control: new Int32Array(mailbox, 0, 4), data: new Float64Array(mailbox, 16), posted: 0 });
    }
  }

  /** How many lists `run` can take at once: the calling thread's and one per helper. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * Run `lists[0]` here and `lists[i]` on helper i - 1, all at once; returns when every list is done. The lists must
   * write to disjoint memory.
   */
  run(lists: PositionalCall[][], runHere: (call: PositionalCall) => void): void {
    if (lists.length > this.threads) throw new Error(`${lists.length} call lists for ${this.threads} threads`);
    const posted = lists.slice(1).map((calls, i) => this.post(this.helpers[i], calls));
    lists[0]?.forEach(runHere);
    posted.forEach((sequence, i) => this.await(this.helpers[i], sequence, lists[i + 1], runHere));
  }

  private post(helper: Helper, calls: PositionalCall[]): number {
    let p = 1;
    for (const { routine, args } of calls) {
      if (p + 2 + args.length > MAILBOX_DOUBLES) throw new Error('too many routine calls for one helper thread');
      helper.data[p] = routine;
      helper.data[p + 1] = args.length;
      helper.data.set(args, p + 2);
      p += 2 + args.length;
    }
    helper.data[0] = calls.length;
    helper.posted++;
    Atomics.store(helper.control, 0, helper.posted);
    Atomics.notify(helper.control, 0);
    return helper.posted;
  }

  private await(helper: Helper, sequence: number, calls: PositionalCall[], runHere: (call: PositionalCall) => void): void {
    const started = Date.now();
    for (;;) {
      const finished = Atomics.load(helper.control, 1);
      if (finished === sequence) break;
      if (Date.now() - started > ANSWER_TIMEOUT_MS) {
        throw new Error(`a SIMD helper thread did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
      }
      Atomics.wait(helper.control, 1, finished, 100);
    }
    if (Atomics.load(helper.control, 2) !== 0) {
      // The helper's list failed (a trap): run it here, where the error surfaces with its message.
      calls.forEach(runHere);
    }
  }
}

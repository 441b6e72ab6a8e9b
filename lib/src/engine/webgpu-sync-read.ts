/**
 * Synchronous reads (`dataSync`, `arraySync`) on the webgpu backend in Node.
 *
 * tfjs-backend-webgpu reads synchronously through `OffscreenCanvas`, which Node lacks, so every `dataSync()` would
 * throw. The GPU side is simple: copy the tensor's buffer into a mappable one and map it. Only the wait is the
 * problem: dawn.node completes a map in `instance.ProcessEvents()`, which it schedules with the global `setImmediate`
 * and so never runs while JavaScript is busy. Here the callbacks Dawn schedules are kept, so that a synchronous read
 * can run them itself until the buffer is mapped (with a short sleep between tries, leaving the CPU to the driver).
 */
import * as tf from '@tensorflow/tfjs';

/** Dawn's pending `ProcessEvents` callbacks, each runnable once (by a sync read, or by the event loop). */
const pendingDawnTicks = new Set<() => void>();
let tracking = false;

/**
 * Route the native callbacks Dawn hands to `setImmediate` through `pendingDawnTicks`; they still run on the event
 * loop as before. Must be installed before the first WebGPU call that waits for anything.
 */
export function trackDawnTicks(): void {
  if (tracking) return;
  tracking = true;
  const schedule = globalThis.setImmediate;
  const tracked = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (args.length > 0 || !isDawnTick(callback)) return schedule(callback, ...args);
    const tick = () => {
      if (pendingDawnTicks.delete(tick)) callback();
    };
    pendingDawnTicks.add(tick);
    return schedule(tick);
  };
  globalThis.setImmediate = Object.assign(tracked, schedule) as typeof setImmediate;
}

/**
 * Dawn's callback: a native function without name or parameters. (Promise resolvers, also native and often handed to
 * setImmediate, take one parameter; bound functions are named "bound ...".)
 */
function isDawnTick(callback: unknown): boolean {
  if (typeof callback !== 'function' || callback.name !== '' || callback.length !== 0) return false;
  return /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(callback));
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Run Dawn's pending callbacks until `done()` (sleeping 50 µs between rounds after the first few); throws after `timeoutMs`. */
function waitForDawn(done: () => boolean, what: string, timeoutMs = 120_000): void {
  const start = Date.now();
  for (let round = 0; !done(); round++) {
    for (const tick of [...pendingDawnTicks]) tick();
    if (round > 20) Atomics.wait(sleeper, 0, 0, 0.05);
    if (Date.now() - start > timeoutMs) throw new Error(`webgpu: ${what} did not finish within ${timeoutMs / 1000} s`);
  }
}

/** The parts of WebGPU used here (the full types are in @webgpu/types). */
interface GpuBuffer {
  readonly size: number;
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
/** WebGPU's flag values (GPUBufferUsage.COPY_DST and MAP_READ, GPUMapMode.READ), fixed by the standard. */
const COPY_DST = 0x0008;
const MAP_READ = 0x0001;
const MAP_MODE_READ = 0x0001;

/** What the course uses of tfjs-backend-webgpu's WebGPUBackend (4.22). */
interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): { values: tf.backend_util.BackendValues | null; dtype: tf.DataType; resource: GpuBuffer } };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer; releaseBuffer(buffer: GpuBuffer): void };
  commandEncoder: { copyBufferToBuffer(from: GpuBuffer, fromOffset: number, to: GpuBuffer, toOffset: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

/** The bytes of `buffer`, now: the copy and map that the backend's own async `read` does, waited for in place. */
function readBufferNow(backend: WebGpuBackendLike, buffer: GpuBuffer): ArrayBuffer {
  const staging = backend.bufferManager.acquireBuffer(buffer.size, COPY_DST | MAP_READ);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
  backend.submitQueue();
  let failure: unknown;
  staging.mapAsync(MAP_MODE_READ).catch((error: unknown) => (failure = error ?? new Error('mapAsync failed')));
  waitForDawn(() => staging.mapState === 'mapped' || failure !== undefined, 'reading a tensor back');
  if (failure !== undefined) throw failure;
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  return bytes;
}

const patched = new WeakSet<object>();

/** Give `backend` a `readSync` that works in Node (complex and string tensors keep the stock path). */
export function enableSyncReads(backend: unknown): void {
  const webgpu = backend as WebGpuBackendLike;
  if (patched.has(webgpu)) return;
  patched.add(webgpu);
  const stock = webgpu.readSync.bind(webgpu);
  webgpu.readSync = (dataId: object) => {
    const data = webgpu.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string' || data.dtype === 'complex64') return stock(dataId);
    const values = tf.util.convertBackendValuesAndArrayBuffer(readBufferNow(webgpu, data.resource), data.dtype);
    return webgpu.convertAndCacheOnCPU(dataId, values);
  };
}

/**
 * GPU errors reach the code that reads the results.
 *
 * When the GPU rejects a kernel (a tensor larger than the adapter's largest storage binding: 128 MiB on lavapipe, a
 * MobileNet batch of 64 at 224x224 needs 147), Dawn prints a validation error and tfjs-backend-webgpu goes on: that
 * kernel's output is simply never written, and training continues on garbage. Here the device's first uncaptured
 * error is kept and thrown by the next read of any tensor (`data()`, `dataSync()`; `model.fit` reads its loss every
 * batch), so the run stops at the batch that went wrong.
 */

interface GpuDeviceLike {
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
}

interface WebGpuBackendLike {
  device: GpuDeviceLike;
  read(dataId: object): Promise<unknown>;
  readSync(dataId: object): unknown;
}

const watched = new WeakSet<object>();

/** Make `backend`'s reads throw the GPU's first error since the last read. Call after `enableSyncReads`. */
export function throwGpuErrorsOnRead(backend: unknown): void {
  const webgpu = backend as WebGpuBackendLike;
  if (watched.has(webgpu)) return;
  watched.add(webgpu);
  let failure: string | undefined;
  webgpu.device.addEventListener('uncapturederror', (event) => {
    failure ??= event.error.message;
  });
  const check = () => {
    if (failure === undefined) return;
    const message = failure.split('\n')[0];
    failure = undefined;
    throw new Error(`webgpu: the GPU rejected a kernel, so results are wrong: ${message}`);
  };
  const read = webgpu.read.bind(webgpu);
  const readSync = webgpu.readSync.bind(webgpu);
  webgpu.read = async (dataId) => {
    const values = await read(dataId);
    check();
    return values;
  };
  webgpu.readSync = (dataId) => {
    const values = readSync(dataId);
    check();
    return values;
  };
}

/**
 * Runs a suite on the webgpu backend, forced as on CI's software adapter (lavapipe), beside cpu (the reference) and
 * wasm. Where no WebGPU adapter can be created the suite is skipped with the reason; with WEBGPU_REQUIRED=1 (CI, once
 * it has installed a Vulkan driver) that fails instead, so a broken driver cannot pass as a skip.
 */
import { type BackendName, engineInfo, initEngine } from '../../lib/src/engine';
import { prepareBackends } from '../kernels/backend-compare';
import { skipBecause } from '../skip-reasons';

/** Add the hooks to the calling `describe`: webgpu on before its tests, the engine as it was after them. */
export function useWebGpu(): void {
  let previous: BackendName | undefined;
  before(async function () {
    previous = engineInfo()?.backend;
    await prepareBackends(); // cpu (with the course kernels) and wasm
    try {
      await initEngine({ backend: 'webgpu', verbose: false });
    } catch (error) {
      if (process.env.WEBGPU_REQUIRED === '1') throw error;
      const why = (error as Error).message.replace(/^.*cannot be loaded: /, '').split('. ')[0];
      skipBecause(this, `webgpu cannot start here: ${why}`);
    }
  });
  after(async () => {
    if (previous !== undefined) await initEngine({ backend: previous, verbose: false });
  });
}

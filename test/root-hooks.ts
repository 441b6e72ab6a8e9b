/**
 * Mocha root hooks: every test file starts on a ready backend. Without this, whichever file first imports
 * @tensorflow/tfjs-backend-wasm makes 'wasm' the highest-priority backend before anything initialised it, and tests
 * in other files that touch tensors fail with "backend 'wasm' has not yet been initialized".
 */
import { initEngine } from '../lib/src/engine';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await initEngine({ verbose: false });
  },
};

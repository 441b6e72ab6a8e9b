/**
 * The Transformer layers lesson 05 opens up compute the same gradients on wasm as on cpu: multi-head self-attention
 * (padding mask, causal mask), the positional encoding, one encoder block, and the per-position tagger, from the
 * same weights and inputs, for every weight and for the input (cases in layer-gradients.ts).
 */
import { prepareBackends, restoreBackend } from '../kernels/backend-compare';
import { skipBecause } from '../skip-reasons';
import { TRANSFORMER_CASES, assertGradientsMatchCpu } from './layer-gradients';

describe('models: Transformer layers have the same gradients on wasm and cpu', function () {
  before(async function () {
    try {
      await prepareBackends();
    } catch (error) {
      skipBecause(this, `the wasm backend is unavailable: ${(error as Error).message}`);
    }
  });
  after(restoreBackend);

  for (const c of TRANSFORMER_CASES) it(c.name, () => assertGradientsMatchCpu(c, 'wasm'));
});

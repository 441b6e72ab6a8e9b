/**
 * The course's layers on webgpu have the cpu backend's gradients: the fused LSTM, attention pooling, cross-attention,
 * pair features, multi-head self-attention and the Transformer blocks (cases in test/models/layer-gradients.ts).
 */
import { SEQUENCE_PAIR_CASES, TRANSFORMER_CASES, assertGradientsMatchCpu } from '../models/layer-gradients';
import { useWebGpu } from './webgpu-suite';

describe('webgpu: the course layers have the same gradients as on cpu', function () {
  useWebGpu();

  for (const c of [...SEQUENCE_PAIR_CASES, ...TRANSFORMER_CASES]) it(c.name, () => assertGradientsMatchCpu(c, 'webgpu'));
});

/**
 * UnsortedSegmentSum for wasm: the gradient of `gather` (Embedding layers, positional embeddings).
 *
 * Why: tfjs-backend-wasm 4.22 lacks it. It is a light, memory-bound scatter-add (one pass over the gradient rows),
 * so a typed-array loop directly on the wasm heap is as fast as anything else and needs no copies.
 */
import * as tf from '@tensorflow/tfjs';
import { TensorInfo, WasmBackend, requireInputs } from './wasm-kernel-runner';
import type { CourseKernelConfig } from './course-kernel';

export function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { x, segmentIds } = requireInputs('UnsortedSegmentSum', args.inputs, ['x', 'segmentIds']);
  const numSegments = Number(args.attrs?.numSegments);
  const backend = args.backend as WasmBackend;
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${args.attrs?.numSegments}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32 data, got ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  if (idsRank > x.shape.length || segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
  }
  const rowShape = x.shape.slice(idsRank);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views are taken after the only allocation: growing the wasm heap would detach earlier views.
  const outValues = backend.typedArrayFromHeap(out);
  const values = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outValues.fill(0);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row];
    // Out-of-range ids are dropped, as on the cpu backend and in TensorFlow.
    if (segment < 0 || segment >= numSegments) continue;
    const src = row * rowSize;
    const dst = segment * rowSize;
    for (let k = 0; k < rowSize; k++) outValues[dst + k] += values[src + k];
  }
  return out;
}

export const UNSORTED_SEGMENT_SUM_KERNELS: readonly CourseKernelConfig[] = [
  { kernelName: 'UnsortedSegmentSum', backendNames: ['wasm'], role: 'adds', make: () => unsortedSegmentSumWasm as unknown as tf.KernelFunc },
];

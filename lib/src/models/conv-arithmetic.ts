/**
 * Shape and parameter arithmetic of convolution and pooling layers, as TF.js computes them: what lesson 02 teaches
 * by hand and what its checks compare against.
 */

export type ConvPadding = 'valid' | 'same';

export interface WindowOptions {
  /** Step between windows (default 1 for convolutions; pass the pool size for pooling). */
  stride?: number;
  /** `'valid'`: windows stay inside the input; `'same'`: zero padding so that the output is ceil(size / stride). */
  padding?: ConvPadding;
}

/** Output length along one axis of a sliding window of `window` taps over `size` inputs. */
export function slidingWindowOutputSize(size: number, window: number, options: WindowOptions = {}): number {
  const { stride = 1, padding = 'valid' } = options;
  for (const [name, value] of Object.entries({ size, window, stride })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  if (padding === 'same') return Math.ceil(size / stride);
  if (padding !== 'valid') throw new Error(`padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
  if (window > size) throw new Error(`a window of ${window} does not fit in ${size} inputs without padding`);
  return Math.floor((size - window) / stride) + 1;
}

/** Weights of a conv layer: kernel height x width x input channels x filters, plus one bias per filter. */
export function conv2dParameterCount(kernelSize: number, inputChannels: number, filters: number, useBias = true): number {
  return kernelSize * kernelSize * inputChannels * filters + (useBias ? filters : 0);
}

/** Weights of a dense layer: inputs x units, plus one bias per unit. */
export function denseParameterCount(inputs: number, units: number, useBias = true): number {
  return inputs * units + (useBias ? units : 0);
}

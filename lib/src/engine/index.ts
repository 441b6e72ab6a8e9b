export * from './backend';
export * from './random';
export * from './wasm-threads';
export { type AdapterProbe, type WebGpuAdapterInfo, adapterName, isSoftwareAdapter, probeWebGpuAdapter } from './webgpu-adapter';
export { formatNotebookError, installNotebookErrorDisplay } from './notebook-errors';

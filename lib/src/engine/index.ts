export * from './backend';
export * from './random';
export * from './wasm-threads';

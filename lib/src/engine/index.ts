export * from './backend';
export * from './random';
export * from './wasm-threads';
export { formatNotebookError, installNotebookErrorDisplay } from './notebook-errors';

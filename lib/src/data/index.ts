/**
 * Datasets and loaders: toy 2-D sets, MNIST, CIFAR-10, MRPC, GloVe, a tokenizer/vocabulary, and DataFrame views.
 * Real data lives in {@link dataDir} (`DATASETS_DIR`, else `datasets/cache`); `npm run datasets` fetches it.
 */
export { DatasetFileError } from './errors';
export * from './paths';
export * from './batching';
export * from './toy2d';
export * from './idx';
export * from './mnist';
export * from './cifar10';
export * from './mrpc';
export * from './glove';
export * from './text';
export * from './characters';
export * from './frames';
export * from './class-labels';
export * from './in-memory';
export * from './text-table';
export * from './sequence-tasks';

/** Training helpers: compile, fit with history and early stopping, learning-rate schedules, hand-written loops, evaluation. */
export * from './training-history';
export * from './learning-rate';
export * from './early-stopping';
export * from './shuffled-batches';
export * from './compile-classifier';
export * from './fit-model';
export * from './classification-metrics';
export * from './evaluate-classifier';
export * from './custom-loop';

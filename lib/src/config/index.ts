/**
 * The run configuration, in one place: profile (`COURSE_PROFILE`), seed (`COURSE_SEED`) and derived seeds, data
 * folder (`DATASETS_DIR`), results folder (`COURSE_RESULTS_DIR`) and the project root they default under.
 */
export * from './profile';
export * from './seed';
export * from './project-root';
export * from './folders';
export * from './run-config';

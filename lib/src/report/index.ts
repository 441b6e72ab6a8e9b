/** Profiles (smoke/full) and the results reporter that records a notebook's key results as JSON. */
export * from './profile';
export * from './project-root';
export * from './machine';
export * from './results';

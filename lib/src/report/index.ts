/** The results reporter that records a notebook's key results as JSON (profiles and folders: see config/). */
export * from './machine';
export * from './results';

/**
 * The course library. Notebooks import it by name: `import * as course from '@dl-course/lib'`.
 */
export * as tf from '@tensorflow/tfjs';
export * from './engine';

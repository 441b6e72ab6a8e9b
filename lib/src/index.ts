/**
 * The course library. Notebooks import it by name: `import * as course from '@dl-course/lib'`.
 * Every module re-exports flat from here, so names across modules must be distinct.
 */
export * as tf from '@tensorflow/tfjs';
export * from './config';
export * from './engine';
export * from './kernels';
export * from './ops';
export * from './data';
export * from './models';
export * from './train';
export * from './plot';
export * from './report';
export * from './check';

/**
 * The course library. Notebooks import it by name: `import * as course from '@dl-course/lib'`.
 * Every module re-exports flat from here, so names across modules must be distinct.
 */
import './engine/startup'; // first: source-mapped stacks and brief notebook errors for everything loaded after it
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

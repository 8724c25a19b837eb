/** Augmentation and spatial transforms on engine tensors (TorchIO's sampler → deterministic transform pattern). */
export * from './transform.js';
export * from './spatial.js';
export { rotationMatrix, linearPart, planes, type Matrix } from './spatial-math.js';
export { Random } from '../util/random.js';
export * from './source.js';
export * from './deformation.js';
export * from './gaussian.js';
export * from './flip.js';
export * from './rot90.js';
export * from './intensity/brightness.js';
export * from './intensity/contrast.js';
export * from './intensity/gamma.js';
export * from './intensity/noise.js';
export * from './intensity/blur.js';
export * from './intensity/low-resolution.js';
export * from './augmentation.js';
export * from './defaults.js';
export { fromRecord } from './replay.js';

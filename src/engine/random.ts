import { native } from './native.js';

/**
 * Seeds libtorch's default generator (CPU, and CUDA when present): rand, randn, randint, dropout,
 * uniform_/normal_ then give the same numbers for the same seed.
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`manualSeed: seed must be a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

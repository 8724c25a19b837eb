import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

/**
 * Seeds libtorch's default generator (CPU, and CUDA when present): rand, randn, randint, dropout,
 * uniform_/normal_ then give the same numbers for the same seed.
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`manualSeed: seed must be a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** The CPU generator's state as a uint8 tensor (torch.get_rng_state()): save it to resume a run exactly. */
export function getRngState(): Tensor {
  return wrap(native.getRngState());
}

/** Restores a state from `getRngState()` (torch.set_rng_state()); libtorch refuses one of the wrong size or type. */
export function setRngState(state: Tensor): void {
  native.setRngState(state.handle);
}

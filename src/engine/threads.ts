import { availableParallelism } from 'node:os';
import { native } from './native.js';

/** Intra-op threads libtorch uses in this thread (and in async work started from it). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  native.setNumThreads(n);
}

/** libtorch's intra-op thread count (torch.get_num_threads). */
export const getNumThreads = (): number => native.getNumThreads();

// libtorch starts with one thread here; use every core unless told otherwise.
const fromEnv = Number(process.env.VESALIUS_NUM_THREADS);
setNumThreads(Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism());

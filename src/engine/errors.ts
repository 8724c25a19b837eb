import { VesaliusError } from '../util/errors.js';

/** A failure reported by libtorch (shape mismatch, wrong dtype, out of memory ...) with its message. */
export class EngineError extends VesaliusError {
  override name = 'EngineError';
  /** The allocator could not satisfy a request (CPU or CUDA): callers may retry with a smaller batch or patch. */
  readonly outOfMemory: boolean;

  /**
   * Creates a `EngineError`.
   * @param message libtorch's message
   */
  constructor(message: string) {
    super(message);
    this.outOfMemory = /out of memory|can't allocate memory|not enough memory/i.test(message);
  }
}

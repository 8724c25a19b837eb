import { VesaliusError } from '../util/errors.js';

/** A failure reported by libtorch (shape mismatch, wrong dtype, out of memory ...) with its message. */
export class EngineError extends VesaliusError {
  override name = 'EngineError';
}

import { type DType, dtypeCode } from './dtype.js';
import { native } from './native.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = native.isGradEnabled();
  native.setGradEnabled(enabled);
  try {
    const result = fn();
    if (result instanceof Promise)
      throw new TypeError('noGrad/enableGrad take a synchronous function; the grad mode cannot follow an await');
    return result;
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs fn without recording operations for autograd (inference, optimizer updates, initialisation). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);
/** Runs fn with autograd recording, even inside noGrad. */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);
/** Whether autograd records operations here (false inside `noGrad`). */
export const isGradEnabled = (): boolean => native.isGradEnabled();
/** Sets the grad mode for the rest of the thread (prefer noGrad/enableGrad scopes). */
export const setGradEnabled = (enabled: boolean): void => native.setGradEnabled(enabled);

/**
 * Runs fn with CPU autocast: convolutions and matrix products compute in `dtype` (bfloat16 by
 * default; fast on CPUs with AVX-512 BF16/AMX), numerically sensitive ops stay in float32.
 */
export function autocast<T>(fn: () => T, options: { dtype?: DType } = {}): T {
  const previous = native.isAutocast();
  native.setAutocast(true, dtypeCode(options.dtype ?? 'bfloat16'));
  try {
    return fn();
  } finally {
    native.setAutocast(previous);
  }
}

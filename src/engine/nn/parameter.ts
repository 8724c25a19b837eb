import type { Tensor } from '../tensor.js';

/**
 * A parameter is an engine tensor that is a leaf of autograd (requiresGrad) and that a Module
 * registered as trainable. There is no separate class: the marker keeps `instanceof Tensor`, every
 * tensor method and the native handle exactly as they are.
 */
const parameters = new WeakSet<Tensor>();

/** Marks `t` as a trainable parameter (requiresGrad = true) and returns it. */
export function parameter(t: Tensor, requiresGrad = true): Tensor {
  t.requiresGrad = requiresGrad;
  parameters.add(t);
  return t;
}

/** Whether a module registered `t` as a trainable parameter. */
export function isParameter(t: Tensor): boolean {
  return parameters.has(t);
}

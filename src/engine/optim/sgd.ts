/**
 * Stochastic gradient descent exactly as torch.optim.SGD:
 *   g ← ∇ + wd·p
 *   b ← g (first step) or μ·b + (1 − dampening)·g
 *   g ← g + μ·b (Nesterov) or b
 *   p ← p − lr·g
 */
import { keep } from '../memory.js';
import type { Tensor } from '../tensor.js';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
export class SGD extends Optimizer<SGDOptions> {
  /** `lr` is required (as torch); momentum, dampening and weight decay default to 0. */
  constructor(params: ParamsInput<SGDOptions>, options: { lr: number } & Partial<SGDOptions>) {
    const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
    checkNonNegative('momentum', momentum);
    checkNonNegative('weightDecay', weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new RangeError('Nesterov momentum needs momentum > 0 and dampening 0');
    super(params, lr, { momentum, dampening, nesterov, weightDecay });
  }

  /** torch.optim.SGD's update of one parameter (momentum buffer in the state). */
  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<SGDOptions>): void {
    const { momentum, dampening, nesterov, weightDecay } = group.options;
    let g = grad;
    const temporaries: Tensor[] = [];
    if (weightDecay !== 0) {
      g = addScaled(g, p, weightDecay);
      temporaries.push(g);
    }
    if (momentum !== 0) {
      let buf = state.momentumBuffer as Tensor | undefined;
      if (buf === undefined) {
        buf = keep(g.clone()); // outlives any tidy() the training step runs in
        state.momentumBuffer = buf;
      } else {
        buf.mul_(momentum).add_(g, 1 - dampening);
      }
      if (nesterov) {
        g = addScaled(g, buf, momentum);
        temporaries.push(g);
      } else {
        g = buf;
      }
    }
    p.add_(g, -group.lr);
    for (const t of temporaries) t.dispose();
  }
}

/** a + s·b as a new tensor, in one fused op (torch's add(b, alpha=s), so the rounding matches torch). */
export function addScaled(a: Tensor, b: Tensor, s: number): Tensor {
  return a.add(b, s);
}

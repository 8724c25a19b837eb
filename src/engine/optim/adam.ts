/**
 * Adam and AdamW exactly as torch.optim (bias-corrected moments):
 *   t ← t + 1
 *   Adam:  g ← ∇ + wd·p          AdamW:  p ← p·(1 − lr·wd), g ← ∇
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²       (AMSGrad: v̂ ← max(v̂, v), used below instead of v)
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 */
import { zerosLike } from '../creation.js';
import { keep } from '../memory.js';
import * as F from '../ops.js';
import type { Tensor } from '../tensor.js';
import { addScaled } from './sgd.js';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamState, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  constructor(
    params: ParamsInput<AdamOptions>,
    options: { lr: number } & Partial<AdamOptions>,
    defaultWeightDecay: number,
    private readonly decoupled: boolean,
  ) {
    const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = defaultWeightDecay, amsgrad = false } = options;
    for (const [i, b] of betas.entries()) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`betas[${i}] must be in [0, 1), got ${b}`);
    }
    checkNonNegative('eps', eps);
    checkNonNegative('weightDecay', weightDecay);
    super(params, lr, { betas: [betas[0], betas[1]], eps, weightDecay, amsgrad });
  }

  /** torch.optim.Adam's update of one parameter, bias-corrected moments in place. */
  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamOptions>): void {
    const {
      betas: [beta1, beta2],
      eps,
      weightDecay,
      amsgrad,
    } = group.options;
    const lr = group.lr;
    if (state.step === undefined) {
      state.step = 0;
      // keep(): the state outlives any tidy() the training step runs in.
      state.expAvg = keep(zerosLike(p));
      state.expAvgSq = keep(zerosLike(p));
      if (amsgrad) state.maxExpAvgSq = keep(zerosLike(p));
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;

    let g = grad;
    if (weightDecay !== 0) {
      if (this.decoupled) p.mul_(1 - lr * weightDecay);
      else g = addScaled(grad, p, weightDecay);
    }
    expAvg.mul_(beta1).add_(g, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
    if (g !== grad) g.dispose();

    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let second = expAvgSq;
    if (amsgrad) {
      const max = state.maxExpAvgSq as Tensor;
      const updated = F.maximum(max, expAvgSq);
      max.copy_(updated);
      updated.dispose();
      second = max;
    }
    const denom = second.sqrt();
    denom.div_(biasCorrection2Sqrt).add_(eps);
    p.addcdiv_(expAvg, denom, -lr / biasCorrection1);
    denom.dispose();
  }
}

/** Adam (torch.optim.Adam): L2 weight decay added to the gradient, optional AMSGrad. */
export class Adam extends AdamBase {
  /** Default lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, as torch. */
  constructor(params: ParamsInput<AdamOptions>, options: { lr?: number } & Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, ...options }, 0, false);
  }
}

/** Adam with decoupled weight decay (default 0.01, as torch.optim.AdamW). */
export class AdamW extends AdamBase {
  /** Default lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01, as torch. */
  constructor(params: ParamsInput<AdamOptions>, options: { lr?: number } & Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, ...options }, 0.01, true);
  }
}

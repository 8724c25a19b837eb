/**
 * Gradient clipping as torch.nn.utils: clipGradNorm scales all gradients together so that their
 * joint p-norm is at most maxNorm (coefficient maxNorm/(norm + 1e-6), capped at 1) and returns the
 * norm before clipping; clipGradValue clamps each gradient element to [−v, v].
 */
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import type { Tensor } from '../tensor.js';

/**
 * Scales all gradients together so that their joint `normType`-norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_).
 * @returns the norm before clipping
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  // Each .grad access is a new handle on the gradient: scaling it in place scales the gradient.
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  try {
    return clipGrads(grads, maxNorm, normType);
  } finally {
    for (const g of grads) g.dispose();
  }
}

function clipGrads(grads: Tensor[], maxNorm: number, normType: number): number {
  if (grads.length === 0) return 0;
  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const g of grads)
      total = Math.max(
        total,
        tensorScalar(g, (a) => a.abs().max()),
      );
  } else {
    let sum = 0;
    for (const g of grads) sum += tensorScalar(g, (a) => a.abs().pow(normType).sum());
    total = sum ** (1 / normType);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => grads.forEach((g) => g.mul_(coef)));
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] (torch.nn.utils.clip_grad_value_). */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of params) {
      const g = p.grad;
      g?.clamp_(-clipValue, clipValue);
      g?.dispose();
    }
  });
}

/** Evaluates a reduction to a JS number in float64, disposing the temporaries. */
function tensorScalar(g: Tensor, reduce: (a: Tensor) => Tensor): number {
  return noGrad(() => tidy(() => reduce(g.to('float64')).item()));
}

import { Random } from '../util/random.js';
import { noGrad } from './autograd.js';
import { dispose, tidy } from './memory.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** finite-difference step (central differences) */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** seed of the random projection of the output */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** largest |analytic − numeric| over all checked elements */
  maxAbsError: number;
  /** where that happened */
  worst: { input: number; index: number; analytic: number; numeric: number };
  checked: number;
}

/**
 * Compares autograd's gradients of `fn` with central finite differences, like torch.autograd.gradcheck.
 * Every float64 input with requiresGrad is checked. The output is reduced to a scalar through a fixed
 * random projection L = Σ fn(inputs) ⊙ r, so every output element contributes. Inputs must be small:
 * each checked element costs two forward passes.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-6,
    atol = options.atol ?? 1e-5,
    rtol = options.rtol ?? 1e-3;
  const checkedInputs = inputs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  for (const i of checkedInputs) {
    if (inputs[i]!.dtype !== 'float64')
      throw new TypeError(`gradcheck: input ${i} must be float64 for finite differences, got ${inputs[i]!.dtype}`);
  }
  const rng = new Random(options.seed ?? 1234);
  const projection = tidy(() => {
    const out = noGrad(() => fn(...inputs));
    const r = new Float64Array(out.numel).map(() => rng.uniform(-1, 1));
    return Tensor.from(r, out.shape, { dtype: 'float64' });
  });
  const objective = (xs: Tensor[]): number =>
    tidy(() =>
      fn(...xs)
        .mul(projection)
        .sum()
        .item(),
    );

  // analytic
  const analytic: Float64Array[] = [];
  tidy(() => {
    for (const i of checkedInputs) inputs[i]!.zeroGrad();
    fn(...inputs)
      .mul(projection)
      .sum()
      .backward();
    for (const i of checkedInputs) {
      const g = inputs[i]!.grad;
      analytic.push(g === null ? new Float64Array(inputs[i]!.numel) : (g.toArray() as Float64Array));
      inputs[i]!.zeroGrad();
    }
  });

  // numeric
  let maxAbsError = 0;
  let worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
  let ok = true;
  let checked = 0;
  noGrad(() => {
    checkedInputs.forEach((inputIndex, k) => {
      const base = inputs[inputIndex]!;
      const values = base.toArray() as Float64Array;
      for (let e = 0; e < values.length; e++) {
        const at = (delta: number): number => {
          const v = values.slice();
          v[e] = v[e]! + delta;
          const perturbed = Tensor.from(v, base.shape, { dtype: 'float64' });
          const xs = inputs.map((t, j) => (j === inputIndex ? perturbed : t));
          try {
            return objective(xs);
          } finally {
            perturbed.dispose();
          }
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const a = analytic[k]![e]!;
        const err = Math.abs(a - numeric);
        if (err > atol + rtol * Math.abs(numeric)) ok = false;
        if (err >= maxAbsError) {
          maxAbsError = err;
          worst = { input: inputIndex, index: e, analytic: a, numeric };
        }
        checked++;
      }
    });
  });
  dispose(projection);
  return { ok, maxAbsError, worst, checked };
}

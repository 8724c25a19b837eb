/**
 * The population stability index (Siddiqi, "Credit Risk Scorecards", 2006; the usual model-monitoring
 * drift score): bins are cut at the reference sample's quantiles, so each holds about the same share
 * of the reference, and PSI = Σ (a_b − e_b) · ln(a_b / e_b) over bins, with a the current and e the
 * reference share. Empty bins count as `epsilon` so the score stays finite. The customary reading:
 * below 0.1 no shift, 0.1–0.25 a moderate shift, above 0.25 a significant shift.
 */
import { OptionError } from '../util/errors.js';
import { percentileOfSorted } from '../util/percentile.js';

export interface PsiOptions {
  /** Bins (default 10, fewer when the reference has fewer than 5 values per bin, at least 2). */
  bins?: number;
  /** Count added to every bin before shares are taken (default 0.5). */
  smoothing?: number;
}

export interface PsiResult {
  psi: number;
  /** Inner bin edges: bin b holds values in (edges[b−1], edges[b]]. */
  edges: number[];
  expected: number[];
  actual: number[];
}

/** The customary threshold above which a PSI means a significant shift. */
export const PSI_SHIFT = 0.25;

/** PSI of `current` against `reference` (NaNs dropped). */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: PsiOptions = {},
): PsiResult {
  const ref = Float64Array.from(reference)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const cur = Float64Array.from(current).filter((v) => !Number.isNaN(v));
  if (ref.length === 0 || cur.length === 0)
    throw new OptionError('samples', `both samples need values (got ${ref.length} and ${cur.length})`);
  const bins = options.bins ?? Math.max(2, Math.min(10, Math.floor(ref.length / 5)));
  if (!Number.isInteger(bins) || bins < 2) throw new OptionError('bins', `must be an integer ≥ 2, got ${bins}`);
  const smoothing = options.smoothing ?? 0.5;
  if (!(smoothing >= 0)) throw new OptionError('smoothing', `must be ≥ 0, got ${smoothing}`);
  // quantile cut points; repeated values (a reference with ties) merge bins
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = percentileOfSorted(ref, (100 * b) / bins);
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  if (edges.length === 0 || edges[edges.length - 1]! < ref[ref.length - 1]!) edges.push(ref[ref.length - 1]!);
  const share = (values: ArrayLike<number>) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (let v = 0; v < values.length; v++) counts[binOf(edges, values[v]!)]!++;
    const total = values.length + smoothing * counts.length;
    return counts.map((c) => (c + smoothing) / total);
  };
  const expected = share(ref);
  const actual = share(cur);
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = expected[b]!;
    const a = actual[b]!;
    if (e > 0 && a > 0) psi += (a - e) * Math.log(a / e);
    else if (e !== a) psi = Number.POSITIVE_INFINITY; // only without smoothing
  }
  return { psi, edges, expected, actual };
}

/** Index of the bin (edges[b−1], edges[b]] holding x; the last bin is open above. */
function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

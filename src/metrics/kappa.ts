/**
 * Cohen's kappa from a confusion matrix `m[rater1][rater2]`: (p_o − p_e)/(1 − p_e), or with weights
 * w_ij = |i−j| ("linear") or (i−j)² ("quadratic") for ordinal classes: 1 − Σw·O / Σw·E with E the
 * outer product of the marginals (scikit-learn's cohen_kappa_score). 1 when both raters agree and
 * use one class only (no disagreement is possible then, where the formula would give 0/0).
 */
export function cohenKappa(m: number[][], weights: 'none' | 'linear' | 'quadratic' = 'none'): number {
  const c = m.length;
  const total = m.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (total === 0) return NaN;
  const rows = m.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: c }, (_, j) => m.reduce((s, row) => s + row[j]!, 0));
  let observed = 0,
    expected = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const w = weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2;
      observed += (w * m[i]![j]!) / total;
      expected += (w * rows[i]! * cols[j]!) / (total * total);
    }
  }
  return expected === 0 ? 1 : 1 - observed / expected;
}

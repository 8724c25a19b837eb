/**
 * Holm's step-down correction (Holm 1979): with p-values sorted ascending p(1) ≤ … ≤ p(m), the
 * adjusted p(i) = max over j ≤ i of min(1, (m − j + 1)·p(j)) — as statsmodels' multipletests(method='holm').
 * Returned in the input's order; NaN entries are left out of m and stay NaN.
 */
export function holm(pValues: readonly number[]): number[] {
  const indexed = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  indexed.sort((a, b) => a[0] - b[0]);
  const m = indexed.length;
  const out = pValues.map(() => Number.NaN);
  let running = 0;
  indexed.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

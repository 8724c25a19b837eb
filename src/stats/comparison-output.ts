/** A comparison as a CSV table, and as the text table `vesalius compare` prints. */
import { csvField } from '../util/csv.js';
import type { Comparison } from './compare-tables.js';

export const COMPARISON_COLUMNS = [
  'a',
  'b',
  'class',
  'metric',
  'n',
  'mean_a',
  'mean_b',
  'mean_difference',
  'sd_difference',
  'ci_t_low',
  'ci_t_high',
  'ci_bootstrap_low',
  'ci_bootstrap_high',
  'd_z',
  't',
  'p_t',
  'p_t_holm',
  'wilcoxon_statistic',
  'p_wilcoxon',
  'wilcoxon_mode',
  'p_wilcoxon_holm',
  'significant_t',
  'significant_wilcoxon',
  'zero_differences',
  'tied_differences',
  'excluded_cases',
] as const;

/**
 * @param c a comparison
 * @returns one CSV line per comparison, columns COMPARISON_COLUMNS
 */
export function comparisonCsv(c: Comparison): string {
  const lines = [COMPARISON_COLUMNS.join(',')];
  for (const r of c.rows) {
    const cells = [
      r.a,
      r.b,
      r.class,
      r.metric,
      r.n,
      r.meanA,
      r.meanB,
      r.meanDifference,
      r.sdDifference,
      r.ciT[0],
      r.ciT[1],
      r.ciBootstrap[0],
      r.ciBootstrap[1],
      r.dz,
      r.t,
      r.pT,
      r.pTHolm,
      r.wilcoxonStatistic,
      r.pWilcoxon,
      r.wilcoxonMode,
      r.pWilcoxonHolm,
      r.significantT,
      r.significantWilcoxon,
      r.zeroDifferences,
      r.tiedDifferences,
      r.excluded.join(' '),
    ];
    lines.push(cells.map((v) => (typeof v === 'number' && Number.isNaN(v) ? '' : csvField(String(v)))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** p-values as reviewers read them: 4 significant digits, '<1e-4' style below. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return '—';
  if (p < 1e-4) return p.toExponential(2);
  return p.toPrecision(4);
}

/**
 * The comparison as table cells, one row per comparison (the text table and the HTML report show the same).
 *
 * @param c a comparison
 * @returns the header and the rows of cells
 */
export function comparisonCells(c: Comparison): { head: string[]; rows: string[][] } {
  const head = [
    'A vs B',
    'class',
    'metric',
    'n',
    'mean A',
    'mean B',
    'difference [95% CI t]',
    '95% CI bootstrap',
    'd_z',
    'p t (Holm)',
    'p Wilcoxon (Holm)',
    'verdict (t, Holm)',
  ];
  const rows = c.rows.map((r) => [
    `${r.a} vs ${r.b}`,
    r.class || '—',
    r.metric,
    String(r.n),
    r.meanA.toFixed(4),
    r.meanB.toFixed(4),
    `${r.meanDifference >= 0 ? '+' : ''}${r.meanDifference.toFixed(4)} [${r.ciT[0].toFixed(4)}, ${r.ciT[1].toFixed(4)}]`,
    `[${r.ciBootstrap[0].toFixed(4)}, ${r.ciBootstrap[1].toFixed(4)}]`,
    Number.isNaN(r.dz) ? '—' : r.dz.toFixed(2),
    `${formatP(r.pT)} (${formatP(r.pTHolm)})`,
    `${formatP(r.pWilcoxon)} (${formatP(r.pWilcoxonHolm)})${r.wilcoxonMode === 'approx' ? ' ≈' : ''}`,
    r.significantT ? `significant at ${c.alpha}` : `not significant at ${c.alpha}`,
  ]);
  return { head, rows };
}

/** A fixed-width table, one line per comparison, and the missing-case notes. */
export function comparisonText(c: Comparison): string {
  const { head, rows: body } = comparisonCells(c);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => s.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...body.map(line)];
  out.push(
    `Holm's correction over ${c.holmFamily} comparison(s) per test; ≈ marks Wilcoxon's normal approximation (zeros or more than 50 pairs).`,
  );
  for (const m of c.missing) {
    if (m.onlyInA.length)
      out.push(`only in ${m.a} (not in ${m.b}, left out of their comparison): ${m.onlyInA.join(', ')}`);
    if (m.onlyInB.length)
      out.push(`only in ${m.b} (not in ${m.a}, left out of their comparison): ${m.onlyInB.join(', ')}`);
  }
  for (const r of c.rows) {
    const own = r.excluded.filter((e) => !c.missing.some((m) => m.onlyInA.includes(e) || m.onlyInB.includes(e)));
    if (own.length)
      out.push(
        `${r.a} vs ${r.b}, ${r.metric}${r.class ? ` (${r.class})` : ''}: no value for ${own.join(', ')} — left out`,
      );
  }
  return `${out.join('\n')}\n`;
}

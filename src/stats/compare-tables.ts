/**
 * `compare`: paired statistics between per-case tables of several methods, matched by case id (and
 * class). The first table is the reference compared with each other one (or every pair); for each
 * class and metric: the paired comparison (paired-comparison.ts) on the cases both tables hold, and
 * Holm's correction over all the comparisons made (per test). Cases that one table lacks, or whose
 * value is empty, are listed with the comparison — never dropped silently.
 */
import { VesaliusError } from '../util/errors.js';
import { holm } from './holm.js';
import { comparePaired, type PairedComparison, type PairedComparisonOptions } from './paired-comparison.js';
import type { PerCaseTable } from './per-case-table.js';

export interface ComparisonRow extends PairedComparison {
  a: string;
  b: string;
  class: string;
  metric: string;
  pTHolm: number;
  pWilcoxonHolm: number;
  /** Holm-corrected p below alpha. */
  significantT: boolean;
  significantWilcoxon: boolean;
  /** Cases of the pair left out for this metric: missing in a table, or an empty value. */
  excluded: string[];
}

export interface MissingCases {
  a: string;
  b: string;
  onlyInA: string[];
  onlyInB: string[];
}

export interface Comparison {
  alpha: number;
  tables: Array<{ name: string; source: string; cases: number }>;
  metrics: string[];
  /** Number of tests in each Holm family (t and Wilcoxon each). */
  holmFamily: number;
  rows: ComparisonRow[];
  missing: MissingCases[];
}

export interface CompareOptions extends PairedComparisonOptions {
  /** Metrics compared (default: dice and iou when present, else every metric the tables share). */
  metrics?: string[];
  /** 'reference': the first table against each other (default); 'all': every pair. */
  pairs?: 'reference' | 'all';
  alpha?: number;
}

/**
 * Compares per-case tables (see the module comment).
 *
 * @param tables the methods' tables; the first is the reference
 * @param options metrics, pairs, alpha, bootstrap, Wilcoxon mode
 * @returns every comparison with Holm-corrected p-values, and the cases left out
 * @throws VesaliusError for fewer than two tables, tables without common cases, fewer than two pairs
 *
 * @example
 * ```ts no-run
 * import { compareTables, readPerCaseTable } from 'vesalius/stats';
 * const c = compareTables([readPerCaseTable('unet/per_case.csv', 'unet'), readPerCaseTable('rf/per_case.csv', 'rf')]);
 * console.log(c.rows[0]?.pT, c.rows[0]?.significantT);
 * ```
 */
export function compareTables(tables: readonly PerCaseTable[], options: CompareOptions = {}): Comparison {
  if (tables.length < 2) throw new VesaliusError(`compare needs at least two tables, got ${tables.length}`);
  const names = tables.map((t) => t.name);
  if (new Set(names).size !== names.length)
    throw new VesaliusError(`two tables have the same name (${names.join(', ')}); name them with --names`);
  const shared = tables[0]!.metrics.filter((m) => tables.every((t) => t.metrics.includes(m)));
  let metrics = options.metrics;
  if (metrics) {
    for (const m of metrics)
      for (const t of tables)
        if (!t.metrics.includes(m))
          throw new VesaliusError(`${t.source}: no numeric column "${m}" (has ${t.metrics.join(', ')})`);
  } else {
    metrics = ['dice', 'iou'].filter((m) => shared.includes(m));
    if (metrics.length === 0) metrics = shared;
  }
  if (metrics.length === 0) throw new VesaliusError('the tables share no numeric metric column');
  const alpha = options.alpha ?? 0.05;
  const pairs: Array<[PerCaseTable, PerCaseTable]> = [];
  if ((options.pairs ?? 'reference') === 'all') {
    for (let i = 0; i < tables.length; i++)
      for (let j = i + 1; j < tables.length; j++) pairs.push([tables[i]!, tables[j]!]);
  } else for (let j = 1; j < tables.length; j++) pairs.push([tables[0]!, tables[j]!]);
  const rows: Omit<ComparisonRow, 'pTHolm' | 'pWilcoxonHolm' | 'significantT' | 'significantWilcoxon'>[] = [];
  const missing: MissingCases[] = [];
  for (const [A, B] of pairs) {
    const common = [...A.rows.keys()].filter((k) => B.rows.has(k));
    const label = (k: string) => {
      const r = (A.rows.get(k) ?? B.rows.get(k))!;
      return r.class ? `${r.case} (${r.class})` : r.case;
    };
    const onlyInA = [...A.rows.keys()].filter((k) => !B.rows.has(k)).map(label);
    const onlyInB = [...B.rows.keys()].filter((k) => !A.rows.has(k)).map(label);
    if (common.length === 0)
      throw new VesaliusError(
        `${A.source} and ${B.source} have no case (and class) in common; compare tables of the same cases`,
      );
    missing.push({ a: A.name, b: B.name, onlyInA, onlyInB });
    const classes = [...new Set(common.map((k) => A.rows.get(k)!.class))].sort();
    for (const cls of classes) {
      const keys = common.filter((k) => A.rows.get(k)!.class === cls).sort();
      for (const metric of metrics) {
        const xs: number[] = [],
          ys: number[] = [];
        const excluded = [...onlyInA, ...onlyInB].filter((l) => (cls ? l.endsWith(`(${cls})`) : true));
        for (const k of keys) {
          const x = A.rows.get(k)!.values[metric],
            y = B.rows.get(k)!.values[metric];
          if (x === null || y === null || x === undefined || y === undefined) excluded.push(label(k));
          else {
            xs.push(x);
            ys.push(y);
          }
        }
        if (xs.length < 2)
          throw new VesaliusError(
            `${A.name} vs ${B.name}${cls ? `, class ${cls}` : ''}, ${metric}: ${xs.length} paired case(s); a paired test needs at least 2`,
          );
        rows.push({ a: A.name, b: B.name, class: cls, metric, excluded, ...comparePaired(xs, ys, options) });
      }
    }
  }
  const pTHolm = holm(rows.map((r) => r.pT));
  const pWHolm = holm(rows.map((r) => r.pWilcoxon));
  return {
    alpha,
    tables: tables.map((t) => ({
      name: t.name,
      source: t.source,
      cases: new Set([...t.rows.values()].map((r) => r.case)).size,
    })),
    metrics,
    holmFamily: rows.length,
    rows: rows.map((r, i) => ({
      ...r,
      pTHolm: pTHolm[i]!,
      pWilcoxonHolm: pWHolm[i]!,
      significantT: pTHolm[i]! < alpha,
      significantWilcoxon: pWHolm[i]! < alpha,
    })),
    missing,
  };
}

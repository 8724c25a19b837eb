/**
 * What a cross-validation reports: one per-case table for the whole dataset (evaluate's columns plus
 * `fold`), the aggregate over all cases (mean ± std, median, bootstrap CI), per fold, and over folds
 * (mean ± std of the fold means).
 */
import { AGGREGATED_METRICS, aggregateRows, type ClassAggregate } from '../../metrics/aggregate.js';
import { EMPTY_MASK_POLICY } from '../../metrics/empty-policy.js';
import { CSV_COLUMNS } from '../../metrics/evaluation-files.js';
import { summarize } from '../../stats/summary.js';
import { csvField } from '../../util/csv.js';
import type { FoldRow } from './fold-evaluation.js';

export const CV_CSV_COLUMNS = ['case', 'fold', ...CSV_COLUMNS.slice(1)] as const;

/**
 * @param rows out-of-fold per-case rows
 * @returns the per-case CSV: evaluate's columns with `fold` after `case`
 */
export function cvCsv(rows: readonly FoldRow[]): string {
  const lines = [CV_CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      CV_CSV_COLUMNS.map((column) => {
        const value = column === 'labels' ? row.labels.join(' ') : row[column as keyof FoldRow];
        return value === null || value === undefined ? '' : csvField(String(value));
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface CvSummary {
  emptyMaskPolicy: string;
  caseCount: number;
  folds: number;
  /** The folds whose held-out cases are in the tables (all of them once the CV has finished). */
  foldsDone: number[];
  /** Over all out-of-fold cases. */
  classes: Record<string, ClassAggregate>;
  perFold: Array<{ fold: number; cases: string[]; classes: Record<string, ClassAggregate> }>;
  /** Mean and sample std of the fold means, per class and metric. */
  overFolds: Record<string, Record<string, { mean: number; std: number; folds: number }>>;
}

/**
 * Aggregates over all cases, per fold and over folds.
 *
 * @param rows out-of-fold per-case rows
 * @param folds the number of folds of the CV
 * @param bootstrapSeed seed of the bootstrap confidence intervals
 * @returns the summary written to summary.json
 */
export function summarizeCv(rows: readonly FoldRow[], folds: number, bootstrapSeed = 0): CvSummary {
  const foldsDone = [...new Set(rows.map((r) => r.fold))].sort((a, b) => a - b);
  const perFold = foldsDone.map((f) => {
    const mine = rows.filter((r) => r.fold === f);
    return {
      fold: f,
      cases: [...new Set(mine.map((r) => r.case))],
      classes: aggregateRows(mine, { seed: bootstrapSeed }),
    };
  });
  const classes = aggregateRows(rows, { seed: bootstrapSeed });
  const overFolds: CvSummary['overFolds'] = {};
  for (const name of Object.keys(classes)) {
    overFolds[name] = {};
    for (const metric of AGGREGATED_METRICS) {
      const means = perFold
        .map((f) => f.classes[name]?.metrics[metric]?.mean)
        .filter((m): m is number => m !== undefined);
      if (means.length === 0) continue;
      const s = summarize(means);
      overFolds[name][metric] = { mean: s.mean, std: s.std, folds: means.length };
    }
  }
  return {
    emptyMaskPolicy: EMPTY_MASK_POLICY,
    caseCount: new Set(rows.map((r) => r.case)).size,
    folds,
    foldsDone,
    classes,
    perFold,
    overFolds,
  };
}

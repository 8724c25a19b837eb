import { bootstrapMeanCi, type BootstrapOptions } from '../stats/bootstrap.js';
import { summarize, type Summary } from '../stats/summary.js';
import type { ClassRecord } from './evaluate-case.js';

/** The per-case metrics that are summarised over cases. */
export const AGGREGATED_METRICS = [
  'dice',
  'iou',
  'precision',
  'recall',
  'specificity',
  'volumeDifferenceMm3',
  'absoluteVolumeDifferenceMm3',
  'relativeVolumeDifferencePercent',
  'hd',
  'hd95',
  'assd',
  'nsd',
  'auc',
  'averagePrecision',
] as const;

export type MetricSummary = Summary & { ci95: [number, number] };

export interface ClassAggregate {
  labels: number[];
  /** Cases evaluated for this class (every case: none is dropped). */
  cases: number;
  bothEmpty: number;
  /** Cases where exactly one of truth and prediction is empty, missing predictions included. */
  oneEmpty: number;
  /** Cases whose prediction file was missing (scored as empty predictions). */
  missing: number;
  /** Summary over cases; a metric's `count` is below `cases` only for values that are null by policy (AUC, relative volume). */
  metrics: Record<string, MetricSummary>;
}

/** A case's row: the case id, whether its prediction file was missing, and its class record. */
export type CaseRow = ClassRecord & { case: string; missingPrediction: boolean };

/**
 * Per-class mean, sample std, median, min, max, count and percentile-bootstrap 95% CI of the mean,
 * over cases (per-case means, never a global voxel pool).
 */
export function aggregateRows(
  rows: readonly CaseRow[],
  bootstrap: BootstrapOptions = {},
): Record<string, ClassAggregate> {
  const out: Record<string, ClassAggregate> = {};
  const classes = [...new Set(rows.map((r) => r.class))];
  for (const name of classes) {
    const mine = rows.filter((r) => r.class === name);
    const metrics: Record<string, MetricSummary> = {};
    for (const metric of AGGREGATED_METRICS) {
      const values = mine.map((r) => r[metric]).filter((v): v is number => v !== null);
      if (values.length === 0) continue;
      metrics[metric] = { ...summarize(values), ci95: bootstrapMeanCi(values, bootstrap) };
    }
    out[name] = {
      labels: mine[0]!.labels,
      cases: mine.length,
      bothEmpty: mine.filter((r) => r.emptiness === 'both-empty').length,
      oneEmpty: mine.filter((r) => r.emptiness === 'gt-empty' || r.emptiness === 'pred-empty').length,
      missing: mine.filter((r) => r.missingPrediction).length,
      metrics,
    };
  }
  return out;
}

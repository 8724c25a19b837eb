/**
 * Drift of recent jobs, per feature, against two references: the model's training cases (its
 * fingerprint) and the jobs before the recent window (recent history). Each row has the population
 * stability index (stats/psi.ts, bins at the reference's quantiles) and the two-sample KS test.
 *
 * The threshold (docs/serving.md): a feature has drifted when PSI > 0.25 — the customary "significant
 * shift" — and the KS test rejects "same distribution" at α = 0.01 after a Bonferroni correction over
 * the features compared. The second condition keeps small windows, where PSI alone is noisy, from
 * raising false alarms.
 */
import { ksTwoSample } from '../../stats/ks.js';
import { PSI_SHIFT, populationStabilityIndex } from '../../stats/psi.js';
import type { Features } from './features.js';

export const DRIFT_ALPHA = 0.01;

export interface DriftRow {
  feature: string;
  reference: 'training' | 'history';
  nReference: number;
  nCurrent: number;
  referenceMedian: number;
  currentMedian: number;
  psi: number;
  ksStatistic: number;
  ksP: number;
  drifted: boolean;
}

export interface DriftOptions {
  /** Jobs in the recent window (default 50). */
  window?: number;
  /** Fewest jobs needed in the window (default 5) and in each reference (default 5). */
  minSamples?: number;
}

export interface DriftReport {
  model: string;
  window: number;
  rows: DriftRow[];
  /** Features that drifted against either reference. */
  drifted: string[];
  /** Why a comparison was skipped (too few jobs ...). */
  notes: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function compare(
  reference: readonly Features[],
  current: readonly Features[],
  kind: DriftRow['reference'],
  minSamples: number,
): DriftRow[] {
  const names = [...new Set(current.flatMap((f) => Object.keys(f)))].sort();
  const rows: DriftRow[] = [];
  for (const feature of names) {
    const ref = reference.map((f) => f[feature]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const cur = current.map((f) => f[feature]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (ref.length < minSamples || cur.length < minSamples) continue;
    const ks = ksTwoSample(ref, cur);
    rows.push({
      feature,
      reference: kind,
      nReference: ref.length,
      nCurrent: cur.length,
      referenceMedian: median(ref),
      currentMedian: median(cur),
      psi: populationStabilityIndex(ref, cur).psi,
      ksStatistic: ks.statistic,
      ksP: ks.pValue,
      drifted: false,
    });
  }
  const corrected = DRIFT_ALPHA / Math.max(1, rows.length);
  for (const r of rows) r.drifted = r.psi > PSI_SHIFT && r.ksP < corrected;
  return rows;
}

/** The drift table of a model's recent jobs (oldest first in `jobs`). */
export function driftReport(
  model: string,
  training: readonly Features[],
  jobs: readonly Features[],
  options: DriftOptions = {},
): DriftReport {
  const window = options.window ?? 50;
  const minSamples = options.minSamples ?? 5;
  const current = jobs.slice(-window);
  const history = jobs.slice(Math.max(0, jobs.length - 5 * window), Math.max(0, jobs.length - window));
  const notes: string[] = [];
  const rows: DriftRow[] = [];
  if (current.length < minSamples) notes.push(`${current.length} job(s) in the window: at least ${minSamples} needed`);
  else {
    if (training.length < minSamples)
      notes.push(`the model's fingerprint has ${training.length} training case(s): at least ${minSamples} needed`);
    else rows.push(...compare(training, current, 'training', minSamples));
    if (history.length < minSamples)
      notes.push(`${history.length} earlier job(s): at least ${minSamples} needed for history`);
    else rows.push(...compare(history, current, 'history', minSamples));
  }
  return { model, window, rows, drifted: [...new Set(rows.filter((r) => r.drifted).map((r) => r.feature))], notes };
}

/** The drift table as aligned text (for `vesalius monitor`). */
export function formatDrift(report: DriftReport): string {
  const lines = [`model ${report.model}: last ${report.window} jobs`];
  const header = ['feature', 'reference', 'n ref', 'n now', 'median ref', 'median now', 'PSI', 'KS D', 'KS p', ''];
  const cells = report.rows.map((r) => [
    r.feature,
    r.reference,
    String(r.nReference),
    String(r.nCurrent),
    r.referenceMedian.toPrecision(4),
    r.currentMedian.toPrecision(4),
    r.psi.toFixed(3),
    r.ksStatistic.toFixed(3),
    r.ksP.toExponential(1),
    r.drifted ? 'DRIFT' : '',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((x, c) => x.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  lines.push(line(header), ...cells.map(line));
  for (const n of report.notes) lines.push(`note: ${n}`);
  lines.push(
    report.drifted.length
      ? `drifted: ${report.drifted.join(', ')} (PSI > 0.25 and KS p < ${DRIFT_ALPHA}/features)`
      : 'no drift (PSI > 0.25 with KS p < 0.01/features on no feature)',
  );
  return lines.join('\n');
}

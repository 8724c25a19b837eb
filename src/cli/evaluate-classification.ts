/**
 * `vesalius evaluate PREDICTIONS.csv [TRUTH.csv]` for classification: accuracy, balanced accuracy,
 * per-class precision / recall / specificity / F1, ROC AUC with a bootstrap CI, Youden threshold,
 * confusion matrix, kappa and quadratic kappa, calibration error; summary.json and roc.csv written.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClassificationReport } from '../metrics/classification.js';
import { evaluatePredictions } from '../metrics/classification-files.js';
import { writeFileAtomic } from '../util/atomic.js';

export function runClassifyEvaluate(
  pred: string,
  truth: string | undefined,
  o: { out?: string; json?: boolean; seed: number; resamples: number; multiLabel?: boolean },
): void {
  const report = evaluatePredictions(pred, {
    truthCsv: truth,
    multiLabel: o.multiLabel,
    bootstrap: { seed: o.seed, resamples: o.resamples },
  });
  const out = o.out ?? join(dirname(pred), 'evaluation');
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (report.roc) {
    const rows = report.roc.fpr.map((f, i) => `${f},${report.roc!.tpr[i]},${report.roc!.thresholds[i]}`);
    writeFileAtomic(join(out, 'roc.csv'), `fpr,tpr,threshold\n${rows.join('\n')}\n`);
  }
  process.stderr.write(formatReport(report));
  process.stderr.write(
    `evaluate: wrote ${join(out, 'summary.json')}${report.roc ? ` and ${join(out, 'roc.csv')}` : ''}\n`,
  );
  if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

const f = (v: number | null) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(4));

/** A short human summary for stderr. */
export function formatReport(r: ClassificationReport): string {
  const lines = [
    `${r.cases} case(s), ${r.classes.length} ${r.multiLabel ? 'labels' : 'classes'}`,
    `AUC        ${f(r.auc)}  (95% CI ${f(r.aucCi[0])}–${f(r.aucCi[1])})`,
    `accuracy   ${f(r.accuracy)}  (95% CI ${f(r.accuracyCi[0])}–${f(r.accuracyCi[1])})`,
    `balanced accuracy ${f(r.balancedAccuracy)}, macro F1 ${f(r.macroF1)}`,
  ];
  if (r.kappa !== null) lines.push(`kappa ${f(r.kappa)}, quadratic kappa ${f(r.quadraticKappa)}, ECE ${f(r.ece)}`);
  if (r.youden)
    lines.push(
      `Youden threshold ${f(r.youden.threshold)} (sensitivity ${f(r.youden.tpr)}, specificity ${f(1 - r.youden.fpr)})`,
    );
  lines.push(
    `${'class'.padEnd(14)}${['precision', 'recall', 'specificity', 'F1', 'AUC', 'n'].map((h) => h.padStart(12)).join('')}`,
  );
  for (const c of r.perClass)
    lines.push(
      `${c.name.padEnd(14)}${[f(c.precision), f(c.recall), f(c.specificity), f(c.f1), f(c.auc), String(c.support)].map((v) => v.padStart(12)).join('')}`,
    );
  if (r.confusionMatrix) lines.push(`confusion (rows truth, columns prediction): ${JSON.stringify(r.confusionMatrix)}`);
  return `${lines.join('\n')}\n`;
}

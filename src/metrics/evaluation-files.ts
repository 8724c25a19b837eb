import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { csvField } from '../util/csv.js';
import { EMPTY_MASK_POLICY } from './empty-policy.js';
import type { FolderEvaluation } from './evaluate-folder.js';
import { SURFACE_DEFINITION } from './surface.js';

/** Columns of the per-case CSV, in order. */
export const CSV_COLUMNS = [
  'case',
  'class',
  'labels',
  'emptiness',
  'missingPrediction',
  'dice',
  'iou',
  'precision',
  'recall',
  'specificity',
  'predVolumeMm3',
  'gtVolumeMm3',
  'volumeDifferenceMm3',
  'absoluteVolumeDifferenceMm3',
  'relativeVolumeDifferencePercent',
  'hd',
  'hd95',
  'assd',
  'nsd',
  'auc',
  'averagePrecision',
  'tp',
  'fp',
  'fn',
  'tn',
] as const;

/** One row per case × class; numbers at full precision, null as an empty cell. */
export function evaluationCsv(evaluation: FolderEvaluation): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of evaluation.rows) {
    lines.push(
      CSV_COLUMNS.map((column) => {
        const value = column === 'labels' ? row.labels.join(' ') : row[column];
        if (value === null || value === undefined) return '';
        return csvField(String(value));
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The aggregate JSON object: policy, definitions, cases, and per-class summaries. */
export function evaluationSummary(evaluation: FolderEvaluation): object {
  return {
    emptyMaskPolicy: EMPTY_MASK_POLICY,
    surfaceDefinition: SURFACE_DEFINITION,
    toleranceMm: evaluation.toleranceMm,
    caseCount: evaluation.cases.length,
    cases: evaluation.cases,
    missingPredictions: evaluation.missingPredictions,
    classes: evaluation.aggregate,
  };
}

/** Writes `per_case.csv` and `summary.json` into `outDir`, each atomically. Returns their paths. */
export function writeEvaluation(outDir: string, evaluation: FolderEvaluation): { csv: string; json: string } {
  const csv = join(outDir, 'per_case.csv');
  const json = join(outDir, 'summary.json');
  writeFileAtomic(csv, evaluationCsv(evaluation));
  writeFileAtomic(json, `${JSON.stringify(evaluationSummary(evaluation), null, 2)}\n`);
  return { csv, json };
}

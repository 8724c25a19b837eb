/**
 * The predictions CSV of a classifier, written by `predict` and scored by `evaluate`:
 *   id, path, truth, prediction, p_<class>…
 * truth is empty when unknown; multi-label truth and predictions are label names joined by '|'
 * (a label is predicted at probability ≥ 0.5). The classes are the p_ columns, in order.
 */
import { readFileSync } from 'node:fs';
import { csvField, parseCsv } from '../util/csv.js';
import type { BootstrapOptions } from '../stats/bootstrap.js';
import { FileFormatError } from '../util/errors.js';
import { type ClassificationReport, classificationReport } from './classification.js';

export interface Prediction {
  id: string;
  source: string;
  /** Known truth (multi-class: [class]; multi-label: 0/1 per label), or null. */
  truth: number[] | null;
  probabilities: number[];
}

const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));

function labelText(values: readonly number[], classes: string[], multiLabel: boolean): string {
  return multiLabel ? classes.filter((_, c) => values[c]! >= 0.5).join('|') : classes[values[0]!]!;
}

/**
 * The predictions CSV text (header id, path, truth, prediction, p_<class>…); with `folds` (a
 * cross-validation's out-of-fold predictions) a `fold` column follows `id`.
 */
export function predictionsCsv(
  predictions: readonly Prediction[],
  classes: string[],
  multiLabel: boolean,
  folds?: readonly number[],
): string {
  const header = ['id', ...(folds ? ['fold'] : []), 'path', 'truth', 'prediction', ...classes.map((c) => `p_${c}`)];
  const lines = [header.map(csvField).join(',')];
  for (const [i, p] of predictions.entries()) {
    const predicted = multiLabel ? p.probabilities : [argmax(p.probabilities)];
    lines.push(
      [
        p.id,
        ...(folds ? [String(folds[i])] : []),
        p.source,
        p.truth ? labelText(p.truth, classes, multiLabel) : '',
        labelText(predicted, classes, multiLabel),
        ...p.probabilities.map((v) => String(v)),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A predictions CSV read back: classes from its p_ columns, probabilities and truth per row. */
export function readPredictionsCsv(path: string): {
  classes: string[];
  multiLabel: boolean;
  rows: Array<{ id: string; truth: string; probabilities: number[] }>;
} {
  const table = parseCsv(readFileSync(path, 'utf8'), path);
  const header = table[0] ?? [];
  const probCols = header.map((h, i) => [h, i] as const).filter(([h]) => h.startsWith('p_'));
  const idCol = header.indexOf('id'),
    truthCol = header.indexOf('truth');
  if (probCols.length === 0 || idCol < 0)
    throw new FileFormatError(path, 'not a predictions CSV (expected columns id, truth and p_<class>…)');
  const rows = table.slice(1).filter((r) => r.length > 1);
  const out = rows.map((r, n) => {
    const probabilities = probCols.map(([h, i]) => {
      const v = Number(r[i]);
      if (!Number.isFinite(v)) throw new FileFormatError(path, `row ${n + 2}: ${h} is '${r[i]}', not a number`);
      return v;
    });
    return { id: r[idCol]!, truth: truthCol >= 0 ? (r[truthCol] ?? '') : '', probabilities };
  });
  const sums = out.map((r) => r.probabilities.reduce((a, b) => a + b, 0));
  const multiLabel = probCols.length > 1 && sums.some((s) => Math.abs(s - 1) > 1e-3);
  return { classes: probCols.map(([h]) => h.slice(2)), multiLabel, rows: out };
}

/**
 * Scores a predictions CSV: truth from its own truth column, or from `truthCsv` (columns id and
 * label/truth) matched by id. Rows without truth are an error naming them.
 */
export function evaluatePredictions(
  predictionsPath: string,
  options: { truthCsv?: string; multiLabel?: boolean; bootstrap?: BootstrapOptions } = {},
): ClassificationReport {
  const { classes, multiLabel: guessed, rows } = readPredictionsCsv(predictionsPath);
  const multiLabel = options.multiLabel ?? guessed;
  let truthOf = (r: { id: string; truth: string }) => r.truth;
  if (options.truthCsv) {
    const table = parseCsv(readFileSync(options.truthCsv, 'utf8'), options.truthCsv);
    const header = table[0] ?? [];
    const idCol = header.indexOf('id');
    const labelCol = header.includes('label') ? header.indexOf('label') : header.indexOf('truth');
    if (idCol < 0 || labelCol < 0)
      throw new FileFormatError(options.truthCsv, 'expected columns id and label (or truth)');
    const byId = new Map(table.slice(1).map((r) => [r[idCol]!, r[labelCol] ?? '']));
    truthOf = (r) => byId.get(r.id) ?? '';
  }
  const truth = rows.map((r, n) => {
    const text = truthOf(r);
    if (text === '' && !multiLabel)
      throw new FileFormatError(predictionsPath, `row ${n + 2} (${r.id}) has no truth to score against`);
    const names = multiLabel ? text.split('|').filter(Boolean) : [text];
    const indices = names.map((name) => {
      const c = classes.indexOf(name);
      if (c < 0)
        throw new FileFormatError(predictionsPath, `row ${n + 2}: truth '${name}' is not one of ${classes.join(', ')}`);
      return c;
    });
    return multiLabel ? classes.map((_, c) => (indices.includes(c) ? 1 : 0)) : indices;
  });
  return classificationReport(
    rows.map((r) => r.probabilities),
    truth,
    { classes, multiLabel, bootstrap: options.bootstrap },
  );
}

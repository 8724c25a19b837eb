/**
 * Per-case metric tables as `evaluate` and `cv` write them (per_case.csv): a `case` column, an optional
 * `class` column (one row per case × class), and numeric metric columns; other columns (fold, labels,
 * emptiness ...) are carried along. An empty cell is a missing value, never a zero.
 */
import { parseCsvTable } from '../util/csv.js';
import { readTextFile } from '../util/read-text.js';
import { FileFormatError } from '../util/errors.js';

export interface PerCaseTable {
  name: string;
  source: string;
  /** Metric columns (numeric in every non-empty cell). */
  metrics: string[];
  /** key (case, or case + class) → metric → value (null when the cell is empty). */
  rows: Map<string, { case: string; class: string; values: Record<string, number | null> }>;
}

const NOT_METRICS = new Set([
  'case',
  'class',
  'fold',
  'labels',
  'emptiness',
  'missingPrediction',
  'tp',
  'fp',
  'fn',
  'tn',
]);

/** Parses a per-case CSV; `name` labels the method. */
export function parsePerCaseTable(text: string, source: string, name: string): PerCaseTable {
  const { columns, records } = parseCsvTable(text, source);
  if (!columns.includes('case')) throw new FileFormatError(source, `needs a "case" column (has ${columns.join(', ')})`);
  const numeric = (v: string) => v.trim() === '' || Number.isFinite(Number(v));
  const metrics = columns.filter(
    (c) => !NOT_METRICS.has(c) && records.length > 0 && records.every((r) => numeric(r[c]!)),
  );
  const rows: PerCaseTable['rows'] = new Map();
  for (const r of records) {
    const cls = r.class ?? '';
    const key = `${r.case}\u0000${cls}`;
    if (rows.has(key))
      throw new FileFormatError(source, `case "${r.case}"${cls ? ` class "${cls}"` : ''} appears twice`);
    const values: Record<string, number | null> = {};
    for (const m of metrics) values[m] = r[m]!.trim() === '' ? null : Number(r[m]);
    rows.set(key, { case: r.case!, class: cls, values });
  }
  return { name, source, metrics, rows };
}

/**
 * @param path a per_case.csv
 * @param name the method's name in comparisons
 * @returns the parsed table
 * @throws FileFormatError naming the file when it cannot be read or is malformed
 */
export function readPerCaseTable(path: string, name: string): PerCaseTable {
  return parsePerCaseTable(readTextFile(path, 'table'), path, name);
}

/**
 * The monitoring store: one JSON record per finished job in `<data>/monitoring/<model>/`, named by
 * time and job id and written atomically, so workers on several machines can add records to a shared
 * folder without a lock. Records hold features and warnings only, never file names or patient data.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic.js';
import type { Features } from './features.js';
import type { OodWarning } from './ood.js';

export interface MonitoringRecord {
  job: string;
  model: string;
  /** ISO time the job finished. */
  at: string;
  modality: string | null;
  features: Features;
  warnings: OodWarning[];
}

export function writeRecord(dir: string, record: MonitoringRecord): void {
  const stamp = record.at.replace(/[:.]/g, '-');
  writeFileAtomic(join(dir, `${stamp}_${record.job}.json`), `${JSON.stringify(record)}\n`);
}

/** The newest `limit` records of a model's folder, oldest first. */
export function readRecords(dir: string, limit = 1000): MonitoringRecord[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .slice(-limit);
  const out: MonitoringRecord[] = [];
  for (const name of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as MonitoringRecord);
    } catch {
      // a record being replaced or a stray file: skip it
    }
  }
  return out;
}

/**
 * `pull`: retrieves series of a study over WADO-RS into a folder, one file per instance
 * (FOLDER/SERIES_UID/SOP_INSTANCE_UID.dcm), each written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { DicomWebClient } from './client.js';
import { jsonText } from './dicom-json.js';
import { PacsError } from './errors.js';
import { instanceHeader } from './instances.js';

export interface PulledSeries {
  uid: string;
  folder: string;
  files: string[];
}

/** Retrieves `series` (default: every series) of `study` into `folder`. */
export async function pullStudy(
  client: DicomWebClient,
  study: string,
  folder: string,
  series?: string[],
): Promise<PulledSeries[]> {
  const wanted = series ?? (await client.searchSeries(study)).map((s) => jsonText(s, '0020000E'));
  if (wanted.length === 0) throw new PacsError(client.url, `study ${study} has no series`);
  const out: PulledSeries[] = [];
  for (const uid of wanted) {
    const parts = await client.retrieveSeries(study, uid);
    if (parts.length === 0) throw new PacsError(client.url, `series ${uid} of study ${study}: no instance retrieved`);
    const dir = join(folder, uid);
    const files = parts.map((bytes, i) => {
      const header = instanceHeader(`${client.url} series ${uid} part ${i + 1}`, bytes);
      const path = join(dir, `${header.sopInstanceUid}.dcm`);
      writeFileAtomic(path, bytes);
      return path;
    });
    out.push({ uid, folder: dir, files });
  }
  return out;
}

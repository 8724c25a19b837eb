/**
 * `push`: stores DICOM files over STOW-RS. Every file is read and checked first (a Part 10 file with
 * study, series and SOP UIDs; all of one study), then all go in a single request to that study, so a
 * bad file or an unreachable or refusing PACS stores nothing. What the PACS itself refuses is reported
 * per instance (DICOMweb cannot take back what it stored).
 */
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../util/errors.js';
import type { DicomWebClient, StowResult } from './client.js';
import { PacsError } from './errors.js';
import { instanceHeader } from './instances.js';

export interface PushFile {
  path: string;
  bytes?: Uint8Array;
}

/**
 * Stores files over STOW-RS (see the module comment).
 *
 * @throws PacsError when the server cannot be reached, refuses, or refuses an instance; FileFormatError
 *   for a file that is not DICOM (before anything is sent)
 */
export async function pushFiles(
  client: DicomWebClient,
  files: readonly (string | PushFile)[],
): Promise<StowResult & { study: string }> {
  if (files.length === 0) throw new PacsError(client.url, 'nothing to store');
  const loaded = files.map((f) => {
    const path = typeof f === 'string' ? f : f.path;
    let bytes = typeof f === 'string' ? undefined : f.bytes;
    if (!bytes) {
      try {
        bytes = new Uint8Array(readFileSync(path));
      } catch (e) {
        throw new FileFormatError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    }
    return { path, bytes, header: instanceHeader(path, bytes) };
  });
  const studies = [...new Set(loaded.map((f) => f.header.studyUid))];
  if (studies.length > 1)
    throw new PacsError(
      client.url,
      `the files belong to ${studies.length} studies (${studies.join(', ')}): push one study at a time`,
    );
  const study = studies[0]!;
  const result = await client.store(
    loaded.map((f) => f.bytes),
    study,
  );
  // a server that answers without listing anything stored did not store
  const stored = new Set(result.stored.map((s) => s.sopInstanceUid));
  const missing = loaded.filter(
    (f) =>
      !stored.has(f.header.sopInstanceUid) && !result.failed.some((x) => x.sopInstanceUid === f.header.sopInstanceUid),
  );
  for (const f of missing)
    result.failed.push({
      sopClassUid: f.header.sopClassUid,
      sopInstanceUid: f.header.sopInstanceUid,
      reason: 'not listed as stored',
    });
  if (result.failed.length)
    throw new PacsError(
      client.url,
      `stored ${result.stored.length} of ${loaded.length} instance(s); refused: ${result.failed.map((f) => `${f.sopInstanceUid} (${f.reason})`).join(', ')}`,
    );
  return { ...result, study };
}

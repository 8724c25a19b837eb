/**
 * The input of a job that names a study on the server's DICOMweb source: the worker chooses the series
 * (the one named, or the study's only image series), retrieves it over WADO-RS into a staging folder
 * of the job, checks it like an uploaded series (one image series, the byte and voxel limits the
 * server had at submission) and only then moves it into the job's input folder and records it.
 * The URL comes from the server's configuration (the job record), never from a request.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scanDicomFolderWithSkipped } from '../io/dicom/scan.js';
import { DicomWebClient } from '../pacs/client.js';
import { pullStudy } from '../pacs/pull.js';
import { chooseSeries } from '../pacs/run.js';
import { VesaliusError } from '../util/errors.js';
import { inside } from './ids.js';
import type { JobRecord, JobStore } from './job-store.js';
import { checkVoxels, UploadError } from './upload-check.js';

/** Digits and dots, at most 64 characters (PS3.5 §9.1), checked again here before any request. */
export const UID_PATTERN = '^[0-9]+(\\.[0-9]+)*$';
const UID = new RegExp(UID_PATTERN);
export const isUid = (s: unknown): s is string => typeof s === 'string' && s.length <= 64 && UID.test(s);

/**
 * Retrieves and checks a DICOMweb job's series (see the module comment); a no-op when it already has
 * its input (a retried job).
 *
 * @returns the job record with its input
 * @throws VesaliusError (a PacsError for the server, an UploadError for a series over the limits)
 */
export async function retrieveDicomWebInput(store: JobStore, record: JobRecord): Promise<JobRecord> {
  const source = record.dicomweb;
  if (!source || record.inputs.length > 0) return record;
  if (!isUid(source.study) || (source.series !== undefined && !isUid(source.series)))
    throw new VesaliusError('the job names an invalid UID');
  const client = new DicomWebClient(source.url);
  const series = await chooseSeries(client, source.study, source.series ? { series: source.series } : {});
  const jobDir = store.jobDir(record.id);
  for (const name of readdirSync(jobDir))
    if (name.startsWith('retrieve.tmp-')) rmSync(join(jobDir, name), { recursive: true, force: true });
  const staging = join(jobDir, `retrieve.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const [pulled] = await pullStudy(client, source.study, staging, [series]);
    const bytes = pulled!.files.reduce((sum, f) => sum + statSync(f).size, 0);
    if (bytes > source.maxBytes)
      throw new UploadError(413, `the series holds ${bytes} bytes, over this server's limit of ${source.maxBytes}`);
    const scan = await scanDicomFolderWithSkipped(pulled!.folder);
    if (scan.series.length !== 1)
      throw new UploadError(400, `series ${series} holds ${scan.series.length} image series (expected one)`);
    const voxels = scan.series[0]!.shape.reduce((a, b) => a * b, 1);
    checkVoxels(voxels, { ...source, maxZipEntries: 0 });
    const inputDir = store.inputDir(record.id);
    rmSync(inside(inputDir, '0'), { recursive: true, force: true });
    mkdirSync(inputDir, { recursive: true });
    renameSync(pulled!.folder, inside(inputDir, '0'));
    const updated: JobRecord = {
      ...(store.read(record.id) ?? record),
      inputs: [{ file: '0', kind: 'dicom', name: `series ${series}`, voxels }],
    };
    store.write(updated);
    return updated;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

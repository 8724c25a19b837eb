/**
 * A radiologist's corrected label for a job, saved as training data: the label (checked to lie on
 * the job's grid and to hold only the model's classes) goes to the job's correction/ folder and, with
 * the job's inputs, into `corrections/<model>/` — an MSD/nnU-Net dataset (dataset.json, imagesTr,
 * labelsTr) that `vesalius train` reads as it is — with who and when in `provenance/<case>.json`.
 * Decompression runs on zlib's thread pool and files are written to a temporary name and renamed.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { isGzip } from '../io/compression.js';
import { createImage, type Image, type Mat3, type Vec3 } from '../io/image.js';
import { NIFTI_TYPES, parseNiftiHeader } from '../io/nifti/header.js';
import { decodeNifti } from '../io/nifti/read.js';
import { encodeNifti } from '../io/nifti/write.js';
import { temporaryNameFor } from '../util/atomic.js';
import { inside } from './ids.js';
import type { JobRecord, JobStore } from './job-store.js';
import type { Principal } from './keys.js';
import type { JobResult } from './run-job.js';
import { UploadError } from './upload-check.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

export interface CorrectionProvenance {
  case: string;
  job: string;
  model: string;
  /** Name and id of the API key that saved it. */
  by: string;
  keyId: string;
  at: string;
  /** Voxels whose class differs from the model's prediction. */
  changedVoxels: number;
  classVoxels: number[];
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = temporaryNameFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeLabel(image: Image, path: string): Promise<void> {
  await writeAtomic(path, await gzipAsync(encodeNifti(image)));
}

/** Reads a NIfTI file with the decompression on zlib's thread pool (for the server's event loop). */
export async function readNiftiAsync(path: string): Promise<Image> {
  const raw = await readFile(path);
  const bytes = isGzip(raw) ? await gunzipAsync(raw) : raw;
  const header = parseNiftiHeader(path, bytes);
  return decodeNifti(path, header, bytes, Math.max(header.voxOffset, header.headerSize + 4));
}

/** Decodes an uploaded NIfTI label and checks it against the job's grid and classes. */
export async function decodeCorrection(body: Buffer, result: JobResult): Promise<Image> {
  const voxels = result.shape.slice(0, 3).reduce((a, b) => a * b, 1);
  let bytes: Buffer = body;
  if (isGzip(body)) {
    try {
      bytes = await gunzipAsync(body, { maxOutputLength: 1024 + 8 * voxels });
    } catch (err) {
      throw new UploadError(400, `corrupt, truncated or oversized gzip data (${(err as Error).message})`);
    }
  }
  let header: ReturnType<typeof parseNiftiHeader>;
  try {
    header = parseNiftiHeader('correction', bytes);
  } catch (err) {
    throw new UploadError(400, (err as Error).message);
  }
  const dims = header.dims.length >= 3 ? header.dims : [...header.dims, 1, 1].slice(0, 3);
  if (dims.slice(0, 3).join() !== result.shape.slice(0, 3).join() || dims.slice(3).some((d) => d !== 1))
    throw new UploadError(
      400,
      `the label is ${dims.join('×')}, the job's image is ${result.shape.slice(0, 3).join('×')}`,
    );
  const type = NIFTI_TYPES[header.datatype];
  const offset = Math.max(header.voxOffset, header.headerSize + 4);
  if (!type || type.bytes === 0) throw new UploadError(400, `unsupported NIfTI datatype code ${header.datatype}`);
  if (bytes.length < offset + voxels * type.bytes)
    throw new UploadError(400, `truncated: ${bytes.length} bytes, the header needs ${offset + voxels * type.bytes}`);
  let image: Image;
  try {
    image = decodeNifti('correction', header, bytes, offset);
  } catch (err) {
    throw new UploadError(400, (err as Error).message);
  }
  const tolerance = 1e-3 * Math.min(...result.spacing);
  const sameGrid =
    image.spacing.every((s, d) => Math.abs(s - result.spacing[d]!) < 1e-3 * Math.max(1, result.spacing[d]!)) &&
    image.origin.every((o, d) => Math.abs(o - result.origin[d]!) < Math.max(tolerance, 1e-3)) &&
    image.direction.every((x, n) => Math.abs(x - result.direction[n]!) < 1e-3);
  if (!sameGrid)
    throw new UploadError(400, "the label's geometry (spacing, origin, direction) differs from the job's image");
  const K = result.classes.length;
  const labels = new Uint8Array(voxels);
  for (let v = 0; v < voxels; v++) {
    const x = image.data[v]!;
    if (!Number.isInteger(x) || x < 0 || x >= K)
      throw new UploadError(400, `label value ${x} is not a class of this model (0..${K - 1})`);
    labels[v] = x;
  }
  return createImage(labels, result.shape.slice(0, 3), {
    spacing: result.spacing as Vec3,
    origin: result.origin as Vec3,
    direction: result.direction as Mat3,
  });
}

/** Saves a checked correction for a job and adds it to the model's corrections dataset. */
export async function saveCorrection(
  store: JobStore,
  record: JobRecord,
  result: JobResult,
  label: Image,
  prediction: Image,
  principal: Principal,
  channels: readonly string[],
): Promise<CorrectionProvenance> {
  const K = result.classes.length;
  const classVoxels = new Array<number>(K).fill(0);
  let changed = 0;
  for (let v = 0; v < label.data.length; v++) {
    classVoxels[label.data[v]!]!++;
    if (label.data[v] !== prediction.data[v]) changed++;
  }
  const provenance: CorrectionProvenance = {
    case: record.id,
    job: record.id,
    model: record.model,
    by: principal.name,
    keyId: principal.keyId,
    at: new Date().toISOString(),
    changedVoxels: changed,
    classVoxels,
  };
  const own = store.correctionDir(record.id);
  await mkdir(own, { recursive: true });
  await writeLabel(label, join(own, 'label.nii.gz'));
  await writeAtomic(join(own, 'correction.json'), Buffer.from(`${JSON.stringify(provenance, null, 2)}\n`));

  const root = store.correctionsDataset(record.model);
  for (const dir of ['imagesTr', 'labelsTr', 'provenance']) await mkdir(join(root, dir), { recursive: true });
  const inputs = result.files.filter((f) => /^input_\d{4}\.nii\.gz$/.test(f)).sort();
  for (const [c, file] of inputs.entries()) {
    const target = inside(root, 'imagesTr', `${record.id}_${String(c).padStart(4, '0')}.nii.gz`);
    const tmp = temporaryNameFor(target);
    await copyFile(inside(store.resultDir(record.id), file), tmp);
    await rename(tmp, target);
  }
  await writeLabel(label, inside(root, 'labelsTr', `${record.id}.nii.gz`));
  await writeAtomic(
    inside(root, 'provenance', `${record.id}.json`),
    Buffer.from(`${JSON.stringify(provenance, null, 2)}\n`),
  );
  // dataset.json last: it names the channels per file and the classes, as nnU-Net v2 does
  const names = inputs.length === channels.length ? channels : inputs.map((_, c) => `channel${c}`);
  const dataset = {
    name: `${record.model}-corrections`,
    description: 'labels corrected in the Vesalius viewer (see provenance/)',
    channel_names: Object.fromEntries(names.map((n, c) => [String(c), n])),
    labels: Object.fromEntries(result.classes.map((n, k) => [n, k])),
    numTraining: (await readdir(join(root, 'labelsTr'))).filter((n) => n.endsWith('.nii.gz')).length,
    file_ending: '.nii.gz',
  };
  await writeAtomic(join(root, 'dataset.json'), Buffer.from(`${JSON.stringify(dataset, null, 2)}\n`));
  return provenance;
}

/** The job's saved correction (provenance), if any. */
export function readCorrection(store: JobStore, id: string): CorrectionProvenance | undefined {
  const path = join(store.correctionDir(id), 'correction.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CorrectionProvenance) : undefined;
}

/**
 * Receiving a job's files: each multipart file is streamed to a staging folder under a generated
 * name, with the byte limit enforced while it streams (413 and the partial file removed at once),
 * then identified and checked (upload-check.ts), zipped DICOM series extracted safely (unzip.ts) and
 * scanned for their series and voxel count without decoding pixels. Only when every file passed are
 * they moved into the job's input folder; on any failure the staging folder is removed, so a refused
 * upload leaves nothing on disk.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile, Multipart } from '@fastify/multipart';
import { scanDicomFolderWithSkipped } from '../io/dicom/scan.js';
import { newJobId, sanitizeName } from './ids.js';
import type { JobInput } from './job-store.js';
import { checkUploadedFile, checkVoxels, UploadError, type UploadLimits } from './upload-check.js';
import { extractZip } from './unzip.js';

interface Staged {
  /** Path in the staging folder (a file, or a folder of DICOM files). */
  path: string;
  /** Name to give it in the job's input folder. */
  file: string;
  input: JobInput;
}

/** Replaces server paths in a message by "upload", so errors never reveal the server's folders. */
function scrub(message: string, staging: string): string {
  return message
    .split(staging)
    .join('upload')
    .replace(/upload\/[^\s:,)]+/g, 'upload');
}

async function checkDicomFolder(dir: string, limits: UploadLimits, staging: string): Promise<number> {
  let scan: Awaited<ReturnType<typeof scanDicomFolderWithSkipped>>;
  try {
    scan = await scanDicomFolderWithSkipped(dir);
  } catch (err) {
    throw new UploadError(400, scrub((err as Error).message, staging));
  }
  if (scan.series.length === 0)
    throw new UploadError(400, `no DICOM image series in the upload (${scan.skipped.length} file(s) skipped)`);
  if (scan.series.length > 1)
    throw new UploadError(400, `the upload holds ${scan.series.length} image series; send one series per file`);
  const voxels = scan.series[0]!.shape.reduce((a, b) => a * b, 1);
  checkVoxels(voxels, limits);
  return voxels;
}

async function stageFile(part: MultipartFile, n: number, staging: string, limits: UploadLimits): Promise<Staged> {
  const raw = join(staging, `${n}.part`);
  try {
    await pipeline(part.file, createWriteStream(raw));
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new UploadError(413, `a file exceeds the upload limit of ${limits.maxBytes} bytes`);
    throw new UploadError(400, `the upload was interrupted (${(err as Error).message})`);
  }
  if (part.file.truncated) throw new UploadError(413, `a file exceeds the upload limit of ${limits.maxBytes} bytes`);
  const name = sanitizeName(part.filename);
  const checked = await checkUploadedFile(raw, limits);
  if (checked.kind === 'zip' || checked.kind === 'dicom') {
    const dir = join(staging, String(n));
    if (checked.kind === 'zip') {
      await extractZip(raw, dir, { maxEntries: limits.maxZipEntries, maxBytes: 4 * limits.maxBytes });
      await rm(raw);
    } else {
      await mkdir(dir);
      await rename(raw, join(dir, '00000.dcm'));
    }
    const voxels = await checkDicomFolder(dir, limits, staging);
    return { path: dir, file: String(n), input: { file: String(n), kind: 'dicom', name, voxels } };
  }
  const file = `${n}${checked.ending}`;
  return { path: raw, file, input: { file, kind: checked.kind, name, voxels: checked.voxels } };
}

/**
 * Reads every part of a multipart request into staging, checks it, and moves the files into
 * `inputDir`. Throws UploadError (with nothing left behind) when a part is refused.
 */
export async function receiveFiles(
  parts: AsyncIterableIterator<Multipart>,
  uploadsDir: string,
  inputDir: string,
  limits: UploadLimits & { maxFiles: number },
): Promise<JobInput[]> {
  const staging = join(uploadsDir, newJobId());
  await mkdir(staging, { recursive: true });
  try {
    const staged: Staged[] = [];
    for await (const part of parts) {
      if (part.type !== 'file')
        throw new UploadError(400, `unexpected form field "${sanitizeName(part.fieldname)}"; send files only`);
      if (staged.length >= limits.maxFiles) throw new UploadError(400, `more than ${limits.maxFiles} files`);
      staged.push(await stageFile(part, staged.length, staging, limits));
    }
    if (staged.length === 0)
      throw new UploadError(400, 'no file in the request (send multipart/form-data with a file)');
    await mkdir(inputDir, { recursive: true });
    for (const s of staged) await rename(s.path, join(inputDir, s.file));
    return staged.map((s) => s.input);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw new UploadError(400, `more than ${limits.maxFiles} files`);
    if (code === 'FST_FIELDS_LIMIT') throw new UploadError(400, 'unexpected form field; send files only');
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new UploadError(400, 'expected multipart/form-data');
    if (err instanceof UploadError) throw err;
    if ((err as { statusCode?: number }).statusCode === 413)
      throw new UploadError(413, `the request exceeds the upload limit of ${limits.maxBytes} bytes per file`);
    throw new UploadError(400, `malformed upload (${scrub((err as Error).message, staging)})`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

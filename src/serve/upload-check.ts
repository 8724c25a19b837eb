/**
 * Checks an uploaded file before anything decodes it: what it is (by its first bytes, never by the
 * client's name), how many voxels its header declares (against the voxel limit, before a single voxel
 * is read), and whether it is whole (a gzip stream is inflated as a stream and counted, without
 * keeping it, and stopped as soon as it exceeds what the header declares). Everything here is
 * asynchronous, so a large upload never blocks the server's event loop. Reasons name the upload as
 * "upload", never a path on the server.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import sharp from 'sharp';
import { isGzip } from '../io/compression.js';
import { NIFTI_TYPES, parseNiftiHeader } from '../io/nifti/header.js';
import { nrrdTypeBytes, parseNrrdHeader } from '../io/nrrd/read.js';
import { MAX_TEXT_HEADER } from '../io/text-header.js';
import { VesaliusError } from '../util/errors.js';
import type { InputKind } from './job-store.js';

/** A refused upload: the HTTP status (400 malformed, 413 too large) and a reason for the client. */
export class UploadError extends VesaliusError {
  override name = 'UploadError';
  /**
   * A refused upload.
   *
   * @param status - 400 for malformed input, 413 for too large
   * @param reason - what is wrong, for the client (never a server path)
   */
  constructor(
    readonly status: 400 | 413,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface UploadLimits {
  /** Bytes of one uploaded file. */
  maxBytes: number;
  /** Voxels of one image (all channels). */
  maxVoxels: number;
  /** Files in one zipped DICOM series. */
  maxZipEntries: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 512 * 1024 * 1024,
  maxVoxels: 512 * 512 * 1024,
  maxZipEntries: 5000,
};

export interface CheckedFile {
  kind: InputKind | 'zip';
  /** The ending to store it under: '.nii.gz', '.nii', '.nrrd', '.png', '.dcm', '.zip' ... */
  ending: string;
  /** Declared voxels (0 for a zip: counted after extraction). */
  voxels: number;
}

const LABEL = 'upload';

async function head(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function checkVoxels(voxels: number, limits: UploadLimits): void {
  if (!Number.isSafeInteger(voxels) || voxels <= 0)
    throw new UploadError(400, `declares an invalid size (${voxels} voxels)`);
  if (voxels > limits.maxVoxels)
    throw new UploadError(413, `${voxels} voxels exceed this server's limit of ${limits.maxVoxels}`);
}

/**
 * Inflates the gzip stream starting at byte `start` as a stream. `onPrefix` sees the first
 * `prefixBytes` (to read a header and fix the expected size); counting stops with a 413 past
 * `expected + slack` bytes. Resolves with the inflated size; a corrupt or cut stream is a 400.
 */
async function inflatedSize(
  path: string,
  start: number,
  prefixBytes: number,
  onPrefix: (prefix: Buffer) => number,
): Promise<{ size: number; expected: number }> {
  const gunzip = createGunzip();
  const source = createReadStream(path, { start });
  source.pipe(gunzip);
  let size = 0;
  let expected = Number.POSITIVE_INFINITY;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (expected === Number.POSITIVE_INFINITY) {
        chunks.push(chunk);
        const have = size + chunk.length;
        if (have >= prefixBytes) expected = onPrefix(Buffer.concat(chunks));
      }
      size += chunk.length;
      if (size > expected + 65536)
        throw new UploadError(413, `decompresses to more than the ${expected} bytes its header declares`);
    }
  } catch (err) {
    if (err instanceof UploadError || err instanceof VesaliusError) throw err;
    throw new UploadError(400, `corrupt or truncated gzip data (${(err as Error).message})`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (expected === Number.POSITIVE_INFINITY) expected = onPrefix(Buffer.concat(chunks));
  return { size, expected };
}

function niftiExpected(prefix: Buffer, limits: UploadLimits): number {
  let h: ReturnType<typeof parseNiftiHeader>;
  try {
    h = parseNiftiHeader(LABEL, prefix);
  } catch (err) {
    throw new UploadError(400, (err as Error).message);
  }
  if (h.magic !== 'n+1' && h.magic !== 'n+2') throw new UploadError(400, 'not a single-file NIfTI (no n+1/n+2 magic)');
  const type = NIFTI_TYPES[h.datatype];
  if (!type || type.bytes === 0) throw new UploadError(400, `unsupported NIfTI datatype code ${h.datatype}`);
  const voxels = h.dims.reduce((a, b) => a * b, 1);
  checkVoxels(voxels, limits);
  return Math.max(h.voxOffset, h.headerSize + 4) + voxels * type.bytes;
}

async function checkNifti(path: string, gz: boolean, size: number, limits: UploadLimits): Promise<CheckedFile> {
  if (gz) {
    let voxels = 0;
    const { size: inflated, expected } = await inflatedSize(path, 0, 540, (prefix) => {
      const e = niftiExpected(prefix, limits);
      voxels = parseNiftiHeader(LABEL, prefix).dims.reduce((a, b) => a * b, 1);
      return e;
    });
    if (inflated < expected)
      throw new UploadError(400, `truncated: ${inflated} bytes after decompression, the header needs ${expected}`);
    return { kind: 'nifti', ending: '.nii.gz', voxels };
  }
  const prefix = await head(path, 540);
  const expected = niftiExpected(prefix, limits);
  if (size < expected) throw new UploadError(400, `truncated: ${size} bytes, the header needs ${expected}`);
  return { kind: 'nifti', ending: '.nii', voxels: parseNiftiHeader(LABEL, prefix).dims.reduce((a, b) => a * b, 1) };
}

async function checkNrrd(path: string, size: number, limits: UploadLimits): Promise<CheckedFile> {
  const prefix = await head(path, Math.min(size, MAX_TEXT_HEADER));
  let header: ReturnType<typeof parseNrrdHeader>;
  try {
    header = parseNrrdHeader(LABEL, prefix);
  } catch (err) {
    throw new UploadError(400, (err as Error).message);
  }
  const f = header.fields;
  // a detached header names another file: on a server that would be a path chosen by the client
  if (f.has('data file') || f.has('datafile'))
    throw new UploadError(400, 'detached NRRD data (data file) is not accepted');
  const sizes = (f.get('sizes') ?? '').split(/\s+/).map(Number);
  const bytes = nrrdTypeBytes(f.get('type') ?? '');
  if (bytes === undefined) throw new UploadError(400, `unsupported or missing NRRD type '${f.get('type') ?? ''}'`);
  if (sizes.length === 0 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new UploadError(400, `invalid NRRD sizes '${f.get('sizes') ?? ''}'`);
  const voxels = sizes.reduce((a, b) => a * b, 1);
  checkVoxels(voxels, limits);
  const encoding = (f.get('encoding') ?? '').toLowerCase();
  const skips = ['line skip', 'lineskip', 'byte skip', 'byteskip'].some((k) => f.has(k));
  if (skips) throw new UploadError(400, 'NRRD line/byte skip is not accepted in uploads');
  const needed = voxels * bytes;
  if (encoding === 'raw') {
    if (size - header.dataOffset < needed)
      throw new UploadError(400, `truncated NRRD data: ${size - header.dataOffset} bytes, the header needs ${needed}`);
  } else if (encoding === 'gzip' || encoding === 'gz') {
    const { size: inflated } = await inflatedSize(path, header.dataOffset, 0, () => needed);
    if (inflated < needed)
      throw new UploadError(
        400,
        `truncated NRRD data: ${inflated} bytes after decompression, the header needs ${needed}`,
      );
  } else throw new UploadError(400, `NRRD encoding '${encoding}' is not accepted in uploads (raw or gzip)`);
  return { kind: 'nrrd', ending: '.nrrd', voxels };
}

async function checkRaster(path: string, format: string, limits: UploadLimits): Promise<CheckedFile> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(path, { limitInputPixels: limits.maxVoxels }).metadata();
  } catch (err) {
    throw new UploadError(400, `unreadable ${format} image (${(err as Error).message})`);
  }
  const voxels = (meta.width ?? 0) * (meta.height ?? 0) * (meta.channels ?? 1);
  checkVoxels(voxels, limits);
  try {
    // decoding runs on libvips' threads, not the event loop; a cut file fails here
    await sharp(path, { limitInputPixels: limits.maxVoxels }).raw().toBuffer();
  } catch (err) {
    throw new UploadError(400, `corrupt or truncated ${format} image (${(err as Error).message})`);
  }
  return { kind: 'raster', ending: `.${format === 'jpeg' ? 'jpg' : format}`, voxels };
}

/** Identifies and checks one uploaded file (see the module comment); throws UploadError. */
export async function checkUploadedFile(path: string, limits: UploadLimits): Promise<CheckedFile> {
  const { size } = await stat(path);
  if (size === 0) throw new UploadError(400, 'empty file');
  if (size > limits.maxBytes) throw new UploadError(413, `${size} bytes exceed the upload limit of ${limits.maxBytes}`);
  const b = await head(path, 1024);
  if (b.toString('latin1', 0, 4) === 'PK\x03\x04') return { kind: 'zip', ending: '.zip', voxels: 0 };
  if (b.length >= 132 && b.toString('latin1', 128, 132) === 'DICM') return { kind: 'dicom', ending: '.dcm', voxels: 0 };
  if (b.toString('latin1', 0, 7) === 'NRRD000') return checkNrrd(path, size, limits);
  if (b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG') return checkRaster(path, 'png', limits);
  if (b[0] === 0xff && b[1] === 0xd8) return checkRaster(path, 'jpeg', limits);
  if (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*')
    return checkRaster(path, 'tiff', limits);
  if (isGzip(b)) return checkNifti(path, true, size, limits);
  if (b.length >= 4 && [348, 540].includes(b.readInt32LE(0))) return checkNifti(path, false, size, limits);
  if (b.length >= 4 && [348, 540].includes(b.readInt32BE(0))) return checkNifti(path, false, size, limits);
  throw new UploadError(
    400,
    'unrecognised file: send NIfTI (.nii/.nii.gz), NRRD (attached data), a DICOM file, a zipped DICOM series, or PNG/JPEG/TIFF',
  );
}

/** Which reader a path needs: by its name first, else by the first bytes of the file. */
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync, constants } from 'node:zlib';
import { FileFormatError } from '../util/errors.js';
import { fileErrorReason, isDirectory } from './files.js';

import { formatByName } from './extensions.js';
import type { ImageFormat } from './format-name.js';

export type { ImageFormat };

function head(path: string, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new FileFormatError(path, fileErrorReason(err));
  }
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function niftiSize(b: Buffer): boolean {
  if (b.length < 4) return false;
  const le = b.readInt32LE(0);
  const be = b.readInt32BE(0);
  return [le, be].some((s) => s === 348 || s === 540);
}

/** 'DICM' at byte 128, or (a file without the 128-byte preamble) an even group number at the start. */
function dicomMagic(b: Buffer): boolean {
  if (b.length >= 132 && b.toString('latin1', 128, 132) === 'DICM') return true;
  return b.length >= 8 && (b.readUInt16LE(0) === 0x0008 || b.readUInt16LE(0) === 0x0002);
}

/** The format of `path`: a folder is DICOM; a file by its extension, else by its magic bytes. */
export function detectFormat(path: string): ImageFormat {
  if (isDirectory(path)) return 'dicom';
  const byName = formatByName(path);
  const b = head(path, 1024);
  if (byName) return byName;
  if (b.length === 0) throw new FileFormatError(path, 'empty file');
  if (b.length >= 132 && b.toString('latin1', 128, 132) === 'DICM') return 'dicom';
  if (b.toString('latin1', 0, 4) === 'NRRD') return 'nrrd';
  if (/^(ObjectType|NDims)\s*=/.test(b.toString('latin1', 0, 16))) return 'metaimage';
  if (b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG') return 'raster';
  if (b[0] === 0xff && b[1] === 0xd8) return 'raster';
  if (b.toString('latin1', 0, 3) === 'GIF') return 'raster';
  if (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*') return 'raster';
  if (niftiSize(b)) return 'nifti';
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      const inside = gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH });
      if (niftiSize(inside)) return 'nifti';
      if (dicomMagic(inside)) return 'dicom'; // a gzip-compressed DICOM file not named .dcm.gz
    } catch {
      // not a gzip stream we can read: fall through
    }
  }
  // DICOM without the 128-byte preamble (common in old series)
  if (dicomMagic(b)) return 'dicom';
  throw new FileFormatError(path, 'unknown image format (not NIfTI, NRRD, MetaImage, DICOM, PNG, JPEG, TIFF or GIF)');
}

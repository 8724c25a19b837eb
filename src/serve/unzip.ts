/**
 * Extracts an uploaded zip (a DICOM series) safely: entry names are never used — entry n is written
 * as `<n>.dcm` in the target folder, so no name can climb out of it; at most `maxEntries` files;
 * the sizes the archive declares are summed and checked against `maxBytes` before anything is
 * inflated, and yauzl checks while inflating that no entry grows past its declared size (a zip bomb
 * stops there). Encrypted entries are refused. Folders and empty entries are skipped.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { UploadError } from './upload-check.js';

export interface UnzipLimits {
  maxEntries: number;
  /** Bytes all entries may inflate to together. */
  maxBytes: number;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, zip) =>
      err ? reject(new UploadError(400, `not a readable zip archive (${err.message})`)) : resolve(zip!),
    ),
  );
}

function entries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const all: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      all.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(all));
    zip.on('error', (err: Error) => reject(new UploadError(400, `corrupt zip archive (${err.message})`)));
    zip.readEntry();
  });
}

function readStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) =>
      err ? reject(new UploadError(400, `corrupt zip entry (${err.message})`)) : resolve(stream!),
    ),
  );
}

/** Extracts `zipPath` into `target` (created); returns the number of files written. */
export async function extractZip(zipPath: string, target: string, limits: UnzipLimits): Promise<number> {
  const zip = await openZip(zipPath);
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new UploadError(
        413,
        `the archive holds ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`,
      );
    const files = (await entries(zip)).filter((e) => !e.fileName.endsWith('/') && e.uncompressedSize > 0);
    const declared = files.reduce((a, e) => a + e.uncompressedSize, 0);
    if (declared > limits.maxBytes)
      throw new UploadError(
        413,
        `the archive inflates to ${declared} bytes, more than the limit of ${limits.maxBytes}`,
      );
    if (files.some((e) => e.isEncrypted())) throw new UploadError(400, 'encrypted zip entries are not accepted');
    await mkdir(target, { recursive: true });
    let n = 0;
    for (const entry of files) {
      const stream = await readStream(zip, entry);
      try {
        await pipeline(stream, createWriteStream(join(target, `${String(n).padStart(5, '0')}.dcm`)));
      } catch (err) {
        throw new UploadError(400, `corrupt zip entry ${n + 1} (${(err as Error).message})`);
      }
      n++;
    }
    return n;
  } finally {
    zip.close();
  }
}

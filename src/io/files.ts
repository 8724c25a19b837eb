/** Reading a whole file with errors that name it. */
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { FileFormatError } from '../util/errors.js';

export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new FileFormatError(path, fileErrorReason(err));
  }
}

export function fileErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Checks that `voxels` voxels of `bytesPer` bytes each can exist in this process before anything
 * is allocated; the caller has already checked the size against the file.
 */
export function checkAllocatable(path: string, voxels: number, bytesPer: number): void {
  const bytes = voxels * bytesPer;
  if (!Number.isSafeInteger(voxels) || !Number.isSafeInteger(bytes) || bytes > constants.MAX_LENGTH) {
    throw new FileFormatError(path, `image of ${voxels} voxels (${bytes} bytes) is too large to hold in memory`);
  }
}

function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new FileFormatError(path, fileErrorReason(err));
  }
}

/** The first `length` bytes of a file (fewer if it is shorter) and its size. */
export function readStart(path: string, length: number): { bytes: Buffer; size: number } {
  const fd = openForReading(path);
  try {
    const size = fstatSync(fd).size;
    if (fstatSync(fd).isDirectory()) throw new FileFormatError(path, 'is a directory, not a file');
    const bytes = Buffer.alloc(Math.min(length, size));
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { bytes: bytes.subarray(0, got), size };
  } finally {
    closeSync(fd);
  }
}

/** Exactly `length` bytes from `position`, into a buffer of their own (throws when the file is shorter). */
export function readRange(path: string, position: number, length: number): Buffer {
  const fd = openForReading(path);
  try {
    const out = Buffer.allocUnsafeSlow(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, out, got, Math.min(length - got, 1 << 30), position + got);
      if (n === 0)
        throw new FileFormatError(
          path,
          `truncated: ended ${length - got} bytes short of the data the header describes`,
        );
      got += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reading a whole file with errors that name it. */
import { readFileSync, statSync } from 'node:fs';
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

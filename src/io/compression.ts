/**
 * gzip/zlib inflation with the guards that keep a corrupt or hostile file from becoming a crash or
 * an absurd allocation: the output size is capped by what the header claims, and zlib's errors
 * become FileFormatErrors that name the file.
 */
import { constants, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { FileFormatError } from '../util/errors.js';

/** No deflate stream expands by more than about 1032:1; a claim beyond that is a lie or a bomb. */
export const MAX_DEFLATE_RATIO = 1032;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The first bytes of a gzip stream, without inflating the rest and without failing on a stream that
 * is cut short — used to read a header before trusting its sizes. Inflates only the first 4 KiB of
 * compressed input, so the output is small (a few KiB typically, 4 MiB at the very most).
 */
export function gunzipPrefix(path: string, compressed: Uint8Array): Buffer {
  try {
    return gunzipSync(compressed.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new FileFormatError(path, `not a valid gzip stream (${zlibReason(err)})`);
  }
}

/**
 * Inflates a whole gzip (or, with `format: 'zlib'`, zlib) stream that should hold at least
 * `expectedBytes`. Refuses before inflating when that size is impossible for the compressed size,
 * and stops inflating at `expectedBytes + slack` bytes.
 */
export function inflateWhole(
  path: string,
  compressed: Uint8Array,
  expectedBytes: number,
  format: 'gzip' | 'zlib' = 'gzip',
): Buffer {
  if (expectedBytes > compressed.length * MAX_DEFLATE_RATIO + 1024) {
    throw new FileFormatError(
      path,
      `header claims ${expectedBytes} bytes of data but the ${compressed.length}-byte compressed file cannot hold that many`,
    );
  }
  const slack = 1 << 20;
  const options: ZlibOptions = { maxOutputLength: Math.min(expectedBytes + slack, 2 ** 32) };
  let out: Buffer;
  try {
    out = format === 'gzip' ? gunzipSync(compressed, options) : inflateSync(compressed, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FileFormatError(
        path,
        `compressed data inflates to more than the ${expectedBytes} bytes the header describes`,
      );
    }
    throw new FileFormatError(path, `corrupt or truncated ${format} data (${zlibReason(err)})`);
  }
  if (out.length < expectedBytes) {
    throw new FileFormatError(
      path,
      `truncated: ${out.length} bytes of data after decompression, the header needs ${expectedBytes}`,
    );
  }
  return out;
}

/**
 * Inflates a whole gzip stream whose size no header states (a gzip-compressed DICOM file). The output
 * is capped at what the compressed size can expand to, and a stream cut short is a FileFormatError
 * saying so.
 */
export function gunzipWhole(path: string, compressed: Uint8Array): Buffer {
  const limit = Math.min(compressed.length * MAX_DEFLATE_RATIO + 1024, 2 ** 32);
  try {
    return gunzipSync(compressed, { maxOutputLength: limit });
  } catch (err) {
    const reason = zlibReason(err);
    if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR')
      throw new FileFormatError(path, `gzip-compressed file is truncated (${reason})`);
    throw new FileFormatError(path, `corrupt gzip data (${reason})`);
  }
}

function zlibReason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
}

/**
 * The colour table of an indexed-colour PNG or GIF, read from the file's bytes (libvips, behind sharp,
 * expands palettes to RGB and does not expose them). With it, decoded colours map back to the palette
 * indices that a VOC-style label map stores as class numbers.
 */
import { FileFormatError } from '../util/errors.js';

/** RGB triplets, entry after entry. */
export type PaletteTable = Uint8Array;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function readPaletteTable(path: string, bytes: Uint8Array): PaletteTable {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngPalette(path, bytes);
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic === 'GIF87a' || magic === 'GIF89a') return gifPalette(path, bytes);
  throw new FileFormatError(path, 'palette indices can be read from PNG and GIF files only');
}

function pngPalette(path: string, bytes: Uint8Array): PaletteTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'PLTE') {
      if (length % 3 !== 0 || at + 8 + length > bytes.length)
        throw new FileFormatError(path, 'PNG palette (PLTE) is truncated or malformed');
      return bytes.slice(at + 8, at + 8 + length);
    }
    if (type === 'IDAT' || type === 'IEND') break; // PLTE must come before the image data
    at += 12 + length;
  }
  throw new FileFormatError(path, 'PNG has no palette (PLTE chunk)');
}

function gifPalette(path: string, bytes: Uint8Array): PaletteTable {
  const truncated = () => new FileFormatError(path, 'GIF is truncated before its first image');
  const tableBytes = (packed: number) => 3 * 2 ** ((packed & 0x07) + 1);
  const screenPacked = bytes[10] ?? 0;
  let at = 13;
  let global: PaletteTable | undefined;
  if (screenPacked & 0x80) {
    global = bytes.slice(at, at + tableBytes(screenPacked));
    at += tableBytes(screenPacked);
  }
  // Skip extensions up to the first image descriptor, whose own (local) table wins over the global one.
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x21) {
      at += 2;
      for (let size = bytes[at]; size !== undefined && size !== 0; size = bytes[at]) at += size + 1;
      at += 1;
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) throw truncated();
      const packed = bytes[at + 9]!;
      if (packed & 0x80) {
        if (at + 10 + tableBytes(packed) > bytes.length) throw truncated();
        return bytes.slice(at + 10, at + 10 + tableBytes(packed));
      }
      if (global) return global;
      break;
    } else {
      break;
    }
  }
  if (global) return global;
  throw new FileFormatError(path, 'GIF has no colour table');
}

/**
 * Maps interleaved RGB pixels to their palette indices. A colour the palette lists more than once gets
 * its first index: palettes are padded to a power of two with repeats (often black) after the entries in
 * use. A colour missing from the palette is a FileFormatError.
 */
export function paletteIndices(path: string, rgb: ArrayLike<number>, palette: PaletteTable): Uint8Array {
  const firstIndex = new Map<number, number>();
  for (let e = palette.length / 3 - 1; e >= 0; e--) {
    firstIndex.set((palette[3 * e]! << 16) | (palette[3 * e + 1]! << 8) | palette[3 * e + 2]!, e);
  }
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) {
    const index = firstIndex.get((rgb[3 * p]! << 16) | (rgb[3 * p + 1]! << 8) | rgb[3 * p + 2]!);
    if (index === undefined) {
      throw new FileFormatError(
        path,
        `colour (${rgb[3 * p]}, ${rgb[3 * p + 1]}, ${rgb[3 * p + 2]}) is not in the palette; cannot read palette indices`,
      );
    }
    out[p] = index;
  }
  return out;
}

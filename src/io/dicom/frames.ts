import { FileFormatError } from '../../util/errors.js';
import type { Element, ParsedDicom } from './parse.js';
import type { FrameCodec } from './transfer-syntax.js';
import { nativeFrameBytes, type FrameInfo } from './pixel-module.js';

/** One frame's bytes as stored: native bytes (with a bit offset for 1-bit data) or one codestream. */
export interface StoredFrame {
  bytes: Uint8Array;
  /** For BitsAllocated 1: the index of the frame's first bit within `bytes`. */
  bitOffset: number;
}

/** Pixel Data (7FE0,0010), else Float (7FE0,0008) or Double Float Pixel Data (7FE0,0009). */
export function pixelDataElement(parsed: ParsedDicom): Element | undefined {
  const { elements } = parsed.dataSet;
  return elements.x7fe00010 ?? elements.x7fe00008 ?? elements.x7fe00009;
}

/** Native frame `index`: a view into the file, checked against the file length (truncation). */
export function nativeFrame(parsed: ParsedDicom, info: FrameInfo, frames: number, index: number): StoredFrame {
  const el = pixelDataElement(parsed)!;
  const bytes = parsed.bytes;
  if (info.floatBits && el.length !== nativeFrameBytes(info) * frames) {
    // floats fill the grid exactly (no odd-length padding): any other length is a broken file
    const name = info.floatBits === 32 ? 'Float Pixel Data' : 'Double Float Pixel Data';
    throw new FileFormatError(
      parsed.path,
      `${name} holds ${el.length} bytes, but ${frames} frame(s) of ${info.rows}x${info.columns} float${info.floatBits} need ${nativeFrameBytes(info) * frames}`,
    );
  }
  const available = Math.min(el.length, bytes.length - el.dataOffset);
  if (info.bitsAllocated === 1) {
    const bits = info.rows * info.columns * info.samplesPerPixel;
    const needed = Math.ceil((bits * frames) / 8);
    if (available < needed) throw truncated(parsed.path, needed, available);
    return { bytes: bytes.subarray(el.dataOffset, el.dataOffset + needed), bitOffset: bits * index };
  }
  const size = nativeFrameBytes(info);
  if (available < size * frames) throw truncated(parsed.path, size * frames, available);
  const start = el.dataOffset + size * index;
  return { bytes: bytes.subarray(start, start + size), bitOffset: 0 };
}

function truncated(path: string, needed: number, available: number): FileFormatError {
  return new FileFormatError(path, `pixel data is truncated: ${available} of ${needed} bytes present`);
}

/** Does a fragment begin a new codestream of this codec? Used when there is no offset table. */
function startsCodestream(bytes: Uint8Array, offset: number, codec: FrameCodec): boolean {
  const a = bytes[offset],
    b = bytes[offset + 1];
  switch (codec) {
    case 'jpeg':
    case 'jpegls':
      return a === 0xff && b === 0xd8;
    case 'jpeg2000':
    case 'htj2k':
      // raw codestream SOC+SIZ, or a JP2 file signature box
      return (
        (a === 0xff && b === 0x4f) || (a === 0 && b === 0 && bytes[offset + 4] === 0x6a && bytes[offset + 5] === 0x50)
      );
    case 'jpegxl':
      return (
        (a === 0xff && b === 0x0a) || (a === 0 && b === 0 && bytes[offset + 4] === 0x4a && bytes[offset + 5] === 0x58)
      );
    case 'rle':
      return false;
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Offsets from the Extended Offset Table (7FE0,0001), 64-bit little endian, when present. */
function extendedOffsets(parsed: ParsedDicom): number[] | undefined {
  const el = parsed.dataSet.elements.x7fe00001;
  if (!el || el.length < 8) return undefined;
  const view = new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset + el.dataOffset, el.length);
  const out: number[] = [];
  for (let i = 0; i + 8 <= el.length; i += 8) out.push(Number(view.getBigUint64(i, true)));
  return out;
}

/**
 * Splits encapsulated pixel data into one codestream per frame (PS3.5 A.4): by the Basic (or Extended)
 * Offset Table when present, else one fragment per frame when the counts match, else by codestream
 * start markers. A single frame is all fragments joined.
 */
export function encapsulatedFrames(parsed: ParsedDicom, frames: number, codec: FrameCodec): Uint8Array[] {
  const el = pixelDataElement(parsed)!;
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new FileFormatError(parsed.path, 'encapsulated pixel data has no fragments');
  const bytes = parsed.bytes;
  // fragment.position is the absolute offset of the fragment's data in the byte array
  const fragmentBytes = fragments.map((f) => {
    if (f.position + f.length > bytes.length) {
      throw new FileFormatError(
        parsed.path,
        `pixel data is truncated: a fragment runs ${f.position + f.length - bytes.length} bytes past the end of the file`,
      );
    }
    return bytes.subarray(f.position, f.position + f.length);
  });
  if (frames === 1) return [concat(fragmentBytes)];
  const table = extendedOffsets(parsed) ?? (el.basicOffsetTable?.length ? el.basicOffsetTable : undefined);
  if (table) {
    if (table.length !== frames) {
      throw new FileFormatError(
        parsed.path,
        `offset table lists ${table.length} frames but Number of Frames is ${frames}`,
      );
    }
    const groups: Uint8Array[][] = table.map(() => []);
    for (let f = 0; f < fragments.length; f++) {
      const offset = fragments[f]!.offset;
      let frame = -1;
      for (let i = 0; i < table.length; i++) if (table[i]! <= offset) frame = i;
      if (frame < 0) throw new FileFormatError(parsed.path, 'offset table does not match the fragments');
      groups[frame]!.push(fragmentBytes[f]!);
    }
    if (groups.some((g) => g.length === 0))
      throw new FileFormatError(parsed.path, 'offset table points at no fragment');
    return groups.map(concat);
  }
  if (fragments.length === frames) return fragmentBytes;
  const groups: Uint8Array[][] = [];
  for (const frag of fragmentBytes) {
    if (groups.length === 0 || startsCodestream(frag, 0, codec)) groups.push([frag]);
    else groups[groups.length - 1]!.push(frag);
  }
  if (groups.length !== frames) {
    throw new FileFormatError(
      parsed.path,
      `cannot split ${fragments.length} fragments into ${frames} frames (no offset table)`,
    );
  }
  return groups.map(concat);
}

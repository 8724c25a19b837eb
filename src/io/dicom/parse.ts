import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { FileFormatError } from '../../util/errors.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntax.js';

export type DataSet = dicomParser.DataSet;
export type Element = dicomParser.Element;

export interface ParsedDicom {
  path: string;
  dataSet: DataSet;
  /** Transfer syntax UID of the dataset (from the meta header, or inferred for a raw dataset). */
  transferSyntaxUid: string;
  /** The whole file (or the inflated dataset for deflated files), which the element offsets index. */
  bytes: Uint8Array;
}

const VALID_VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/**
 * A raw dataset (no preamble, no meta header) is recognised by its first two elements: a plausible
 * first group (0002..0008, even), for explicit VR a valid VR, and a second element of the same group
 * with a higher element number right after the first. Up to 3 leading stray bytes are skipped (seen in
 * legacy files written with a bad offset).
 */
function guessRawSyntax(bytes: Uint8Array): { offset: number; uid: string } | undefined {
  const u16 = (at: number, le: boolean) =>
    le ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  const u32 = (at: number, le: boolean) =>
    le ? u16(at, true) + u16(at + 2, true) * 65536 : u16(at, false) * 65536 + u16(at + 2, false);
  const plausible = (group: number) => group >= 0x0002 && group <= 0x0008 && group % 2 === 0;
  const vrAt = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!);
  const candidates: { uid: string; le: boolean; explicit: boolean }[] = [
    { uid: EXPLICIT_VR_LITTLE_ENDIAN, le: true, explicit: true },
    { uid: IMPLICIT_VR_LITTLE_ENDIAN, le: true, explicit: false },
    { uid: EXPLICIT_VR_BIG_ENDIAN, le: false, explicit: true },
  ];
  for (let offset = 0; offset <= 3; offset++) {
    for (const c of candidates) {
      if (offset + 16 > bytes.length) return undefined;
      const group = u16(offset, c.le);
      const element = u16(offset + 2, c.le);
      if (!plausible(group)) continue;
      let next: number;
      if (c.explicit) {
        const vr = vrAt(offset + 4);
        if (!VALID_VRS.has(vr)) continue;
        next = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr)
          ? offset + 12 + u32(offset + 8, c.le)
          : offset + 8 + u16(offset + 6, c.le);
      } else {
        if (VALID_VRS.has(vrAt(offset + 4))) continue; // that would be explicit VR
        next = offset + 8 + u32(offset + 4, c.le);
      }
      if (next + 4 > bytes.length) continue;
      if (u16(next, c.le) === group && u16(next + 2, c.le) > element) return { offset, uid: c.uid };
    }
  }
  return undefined;
}

function hasPart10Preamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

function describeParserError(e: unknown): string {
  const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (/overrun|overread|beyond|buffer length|out of range|outside the bounds/i.test(text))
    return 'file is truncated (an element runs past the end)';
  return `not a readable DICOM dataset (${text.replace(/^dicomParser\.[\w.]+: /, '')})`;
}

/** Does everything before Pixel Data parse? Tells a cut pixel data from a cut header. */
function headerParses(data: Uint8Array, options: dicomParser.ParseDicomOptions): boolean {
  try {
    return !!dicomParser.parseDicom(data, { ...options, untilTag: 'x7fe00010' }).elements.x7fe00010;
  } catch {
    return false;
  }
}

export interface ParseOptions {
  /** Stop before Pixel Data (7FE0,0010): enough for scanning a folder. */
  headerOnly?: boolean;
}

/** Parses DICOM bytes (Part 10 or a raw dataset). Throws FileFormatError naming `path` and the reason. */
export function parseDicomBytes(path: string, bytes: Uint8Array, options: ParseOptions = {}): ParsedDicom {
  let data = bytes;
  let rawUid: string | undefined;
  if (!hasPart10Preamble(bytes)) {
    const raw = guessRawSyntax(bytes);
    if (!raw)
      throw new FileFormatError(path, 'not a DICOM file (no DICM marker at byte 128 and no recognisable dataset)');
    data = raw.offset ? bytes.subarray(raw.offset) : bytes;
    rawUid = raw.uid;
  }
  let inflated: Uint8Array | undefined;
  const parseOptions: dicomParser.ParseDicomOptions = {
    ...(rawUid ? { TransferSyntaxUID: rawUid } : {}),
    ...(options.headerOnly ? { untilTag: 'x7fe00010' } : {}),
    inflater: (array: Uint8Array, position: number) => {
      let body: Buffer;
      try {
        body = inflateRawSync(array.subarray(position));
      } catch (e) {
        throw new FileFormatError(path, `deflated dataset cannot be inflated (${(e as Error).message})`);
      }
      const full = new Uint8Array(position + body.length);
      full.set(array.subarray(0, position), 0);
      full.set(body, position);
      inflated = full;
      return full;
    },
  };
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(data, parseOptions);
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    const reason = describeParserError(e);
    if (!options.headerOnly && reason.startsWith('file is truncated') && headerParses(data, parseOptions)) {
      throw new FileFormatError(path, 'pixel data is truncated (the file ends inside Pixel Data)');
    }
    throw new FileFormatError(path, reason);
  }
  const transferSyntaxUid = (dataSet.string('x00020010') ?? rawUid ?? IMPLICIT_VR_LITTLE_ENDIAN)
    .replace(/\0+$/, '')
    .trim();
  if (transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN && !inflated) {
    throw new FileFormatError(path, 'deflated dataset was not inflated');
  }
  // element offsets index the parsed array: the inflated copy for deflated files, else the file
  return { path, dataSet, transferSyntaxUid, bytes: inflated ?? data };
}

import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { FileFormatError } from '../../util/errors.js';
import { gunzipPrefix, gunzipWhole, isGzip } from '../compression.js';
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
  /** The bytes the element offsets index: the file (inflated when gzip-compressed, given back the preamble it
   * lacked), or the inflated dataset of a deflated transfer syntax. */
  bytes: Uint8Array;
}

const VALID_VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

interface RawStart {
  /** Where the first element starts (after stray bytes). */
  offset: number;
  uid: string;
  /** The first group is the file meta group (0002): a Part 10 file without its preamble and 'DICM'. */
  meta: boolean;
}

/**
 * A dataset without the 128-byte preamble and 'DICM' is recognised by its first two elements: a
 * plausible first group (0002..0008, even), for explicit VR a valid VR, and a second element of the
 * same group with a higher element number right after the first. Group 0002 in explicit VR little
 * endian is a file meta group (a Part 10 file whose preamble was left out); anything else is a raw
 * dataset. Up to 3 leading stray bytes are skipped (seen in legacy files written with a bad offset).
 */
function guessRawSyntax(bytes: Uint8Array): RawStart | undefined {
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
      if (u16(next, c.le) === group && u16(next + 2, c.le) > element)
        return { offset, uid: c.uid, meta: group === 0x0002 && c.uid === EXPLICIT_VR_LITTLE_ENDIAN };
    }
  }
  return undefined;
}

function hasPart10Preamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

/** A Part 10 file whose meta group starts at byte 0, given the preamble and 'DICM' it left out. */
function withPreamble(part10: Uint8Array): Uint8Array {
  const out = new Uint8Array(132 + part10.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(part10, 132);
  return out;
}

function looksLikeDicom(bytes: Uint8Array): boolean {
  return hasPart10Preamble(bytes) || guessRawSyntax(bytes) !== undefined;
}

/**
 * The DICOM file inside a gzip stream (`*.dcm.gz`). Its first bytes are inflated first, so that a
 * folder scan does not inflate whole a compressed file of another kind (a .nii.gz beside the series).
 */
function gunzipDicom(path: string, bytes: Uint8Array): Uint8Array {
  let prefix: Uint8Array;
  try {
    prefix = gunzipPrefix(path, bytes);
  } catch {
    throw new FileFormatError(path, 'not a DICOM file (a gzip stream that cannot be inflated)');
  }
  if (prefix.length >= 1024 && !looksLikeDicom(prefix))
    throw new FileFormatError(path, 'not a DICOM file (gzip-compressed, and no DICOM dataset inside)');
  const whole = gunzipWhole(path, bytes);
  return new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
}

function describeParserError(e: unknown): string {
  const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (/overrun|overread|beyond|buffer length|out of range|outside the bounds/i.test(text))
    return 'file is truncated (an element runs past the end)';
  return `not a readable DICOM dataset (${text.replace(/^dicomParser\.[\w.]+: /, '')})`;
}

/** The pixel data elements: (Float, Double Float) Pixel Data, in the order they appear in a file. */
export const PIXEL_DATA_TAGS = ['x7fe00008', 'x7fe00009', 'x7fe00010'] as const;

/** Does everything before the pixel data parse? Tells a cut pixel data from a cut header. */
function headerParses(data: Uint8Array, options: dicomParser.ParseDicomOptions): boolean {
  return PIXEL_DATA_TAGS.some((untilTag) => {
    try {
      return !!dicomParser.parseDicom(data, { ...options, untilTag }).elements[untilTag];
    } catch {
      return false;
    }
  });
}

export interface ParseOptions {
  /** Stop before Pixel Data (7FE0,0010): enough for scanning a folder. */
  headerOnly?: boolean;
}

/**
 * Parses DICOM bytes: a Part 10 file (also one whose meta group starts at byte 0, without preamble), a
 * raw dataset, or either inside a gzip stream. Throws FileFormatError naming `path` and the reason.
 */
export function parseDicomBytes(path: string, bytes: Uint8Array, options: ParseOptions = {}): ParsedDicom {
  let data = isGzip(bytes) ? gunzipDicom(path, bytes) : bytes;
  let rawUid: string | undefined;
  if (!hasPart10Preamble(data)) {
    const raw = guessRawSyntax(data);
    if (!raw)
      throw new FileFormatError(path, 'not a DICOM file (no DICM marker at byte 128 and no recognisable dataset)');
    const start = raw.offset ? data.subarray(raw.offset) : data;
    // the meta group says how the dataset after it is encoded: parse it as the Part 10 file it is
    if (raw.meta) data = withPreamble(start);
    else {
      data = start;
      rawUid = raw.uid;
    }
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

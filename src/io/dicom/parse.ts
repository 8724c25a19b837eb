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
 * A raw dataset (no preamble, no meta header) is guessed from its first element: the group must be a
 * plausible first group (0002..0008 little or big endian) and, for explicit VR, bytes 4-5 a valid VR.
 * Up to 3 leading stray bytes are skipped (seen in legacy files that were written with a bad offset).
 */
function guessRawSyntax(bytes: Uint8Array): { offset: number; uid: string } | undefined {
  for (let offset = 0; offset <= 3 && offset + 8 <= bytes.length; offset++) {
    const le = bytes[offset]! | (bytes[offset + 1]! << 8);
    const be = (bytes[offset]! << 8) | bytes[offset + 1]!;
    const vr = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!);
    const plausible = (group: number) => group >= 0x0002 && group <= 0x0008 && group % 2 === 0;
    if (plausible(le)) return { offset, uid: VALID_VRS.has(vr) ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN };
    if (plausible(be) && VALID_VRS.has(vr)) return { offset, uid: EXPLICIT_VR_BIG_ENDIAN };
  }
  return undefined;
}

function hasPart10Preamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function describeParserError(e: unknown): string {
  const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (/overrun|overread|beyond|buffer length|out of range|outside the bounds/i.test(text)) return 'file is truncated (an element runs past the end)';
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
    if (!raw) throw new FileFormatError(path, 'not a DICOM file (no DICM marker at byte 128 and no recognisable dataset)');
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
  const transferSyntaxUid = (dataSet.string('x00020010') ?? rawUid ?? IMPLICIT_VR_LITTLE_ENDIAN).replace(/\0+$/, '').trim();
  if (transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN && !inflated) {
    throw new FileFormatError(path, 'deflated dataset was not inflated');
  }
  // element offsets index the parsed array: the inflated copy for deflated files, else the file
  return { path, dataSet, transferSyntaxUid, bytes: inflated ?? data };
}

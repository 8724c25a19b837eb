/**
 * Part 10 files from dcmjs naturalised datasets (keyword → value JSON), and the reverse for headers.
 * Strings are written as UTF-8 (Specific Character Set ISO_IR 192): dcmjs decodes what it reads
 * with the file's own character set and always re-encodes as UTF-8.
 */
import dcmjs from 'dcmjs';
import type { DicomDataset } from './dataset.js';
import { FileFormatError } from '../../../util/errors.js';
import { parseDicomBytes } from '../parse.js';
import { EXPLICIT_VR_LITTLE_ENDIAN } from '../transfer-syntax.js';

const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** Implementation Class UID of files Vesalius writes (a fixed 2.25 UUID) and its version name. */
export const IMPLEMENTATION_CLASS_UID = '2.25.300424128930712350883516316473539371373';
export const IMPLEMENTATION_VERSION_NAME = 'VESALIUS_0_1';

let quiet = false;
/** dcmjs logs warnings (unknown tags, long values) to the console: keep it to errors. */
function silenceDcmjs(): void {
  if (quiet) return;
  dcmjs.log.setLevel('error');
  quiet = true;
}

/** The Pixel Data element (7FE0,0010) in explicit VR little endian: tag, VR, reserved, length, bytes. */
function pixelDataElement(bytes: Uint8Array, vr: 'OB' | 'OW'): Uint8Array {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  view.setUint32(8, bytes.length, true);
  const out = new Uint8Array(12 + bytes.length);
  out.set(head);
  out.set(bytes, 12);
  return out;
}

/**
 * Encodes a naturalised dataset as a Part 10 file: preamble, meta header (SOP class and instance
 * from the dataset) and the dataset in explicit VR little endian. Native pixel data given as
 * `pixels` (even length) is appended as the last element without passing through dcmjs, which
 * copies large values slowly.
 */
export function encodePart10(dataset: DicomDataset, pixels?: { bytes: Uint8Array; vr: 'OB' | 'OW' }): Uint8Array {
  silenceDcmjs();
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset({ SpecificCharacterSet: 'ISO_IR 192', ...dataset });
  const head = new Uint8Array(dict.write({ allowInvalidVRLength: false }));
  if (!pixels) return head;
  if (pixels.bytes.length % 2) throw new RangeError('pixel data must have an even length');
  const element = pixelDataElement(pixels.bytes, pixels.vr);
  const out = new Uint8Array(head.length + element.length);
  out.set(head);
  out.set(element, head.length);
  return out;
}

/**
 * A raw dataset (no preamble or meta header: legacy files) as Part 10 bytes: a preamble and a meta
 * header naming the transfer syntax the reader recognised, in front of the dataset.
 */
function asPart10(path: string, bytes: Uint8Array): Uint8Array {
  const parsed = parseDicomBytes(path, bytes, { headerOnly: true });
  const meta = new DicomDict(
    DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: parsed.dataSet.string('x00080016') ?? '',
      MediaStorageSOPInstanceUID: parsed.dataSet.string('x00080018') ?? '',
      TransferSyntaxUID: parsed.transferSyntaxUid,
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    }),
  );
  meta.dict = {};
  const head = new Uint8Array(meta.write());
  // the writer ends the meta group and starts an empty dataset: the raw dataset follows it
  const out = new Uint8Array(head.length + parsed.bytes.length);
  out.set(head);
  out.set(parsed.bytes, head.length);
  return out;
}

const hasPreamble = (b: Uint8Array) =>
  b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;

/** Parses Part 10 bytes (or a raw dataset) into a naturalised dataset (pixel data included unless `headerOnly`). */
export function decodePart10(path: string, bytes: Uint8Array, options: { headerOnly?: boolean } = {}): DicomDataset {
  silenceDcmjs();
  const part10 = hasPreamble(bytes) ? bytes : asPart10(path, bytes);
  const buffer = part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.byteLength) as ArrayBuffer;
  try {
    const dict = DicomMessage.readFile(buffer, {
      ignoreErrors: true,
      ...(options.headerOnly ? { untilTag: '7FE00010', includeUntilTagValue: false } : {}),
    });
    const natural = DicomMetaDictionary.naturalizeDataset(dict.dict);
    natural._meta = DicomMetaDictionary.naturalizeDataset(dict.meta);
    return natural;
  } catch (e) {
    throw new FileFormatError(path, `not a readable DICOM file (${(e as Error).message})`);
  }
}

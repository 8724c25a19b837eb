/**
 * De-identification of one DICOM file's bytes: the meta header is rebuilt (new SOP Instance UID, this
 * implementation), the dataset rewritten by Table E.1-1 in its own transfer syntax (deflated datasets
 * are inflated and deflated again), Patient Identity Removed = YES and the De-identification Method
 * (Code Sequence) added. Pixel data and every attribute the profile keeps are copied byte for byte.
 */
import { createHmac } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Code } from '../io/dicom/seg/codes.js';
import { parseDicomBytes } from '../io/dicom/parse.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from '../io/dicom/transfer-syntax.js';
import { derivedUid } from '../io/dicom/write/uid.js';
import { VESALIUS_VERSION } from '../io/dicom/write/modules.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../io/dicom/write/part10.js';
import { FileFormatError } from '../util/errors.js';
import { burnedInReason } from './burned-in.js';
import { DatasetRewriter, type Tally } from './dataset.js';
import { type Element, parseDataset, type Syntax } from './elements.js';
import { concat, element, sequence, textElement } from './encode.js';
import type { OptionKey } from './table.js';
import { latin1, textBytes, textValues } from './values.js';

const EXPLICIT_LITTLE: Syntax = { explicit: true, little: true };

export interface FilePolicy {
  keys: ReadonlySet<OptionKey>;
  codes: Code[];
  secret: string;
  shiftDays?: number;
  patientName?: string;
  patientId?: string;
  pseudonymize?: boolean;
}

export interface FileResult {
  bytes: Uint8Array;
  tally: Tally;
  /** Why the pixels may show identity (nothing is changed in them). */
  burnedIn?: string;
  /** UIDs after de-identification, for naming the output. */
  studyUid?: string;
  seriesUid?: string;
  sopInstanceUid: string;
}

function find(elements: Element[], tag: number): Element | undefined {
  return elements.find((e) => e.group * 0x10000 + e.element === tag);
}

function text(bytes: Uint8Array, el: Element | undefined): string | undefined {
  return el ? textValues(bytes.subarray(el.valueStart, el.end)).join('\\') : undefined;
}

/** The meta group's elements and where the dataset starts. */
function readMeta(path: string, bytes: Uint8Array): { meta: Element[]; datasetStart: number } {
  if (!(bytes.length >= 132 && latin1(bytes.subarray(128, 132)) === 'DICM')) return { meta: [], datasetStart: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // (0002,0000) UL group length, when present, bounds the meta group; else it runs while the group is 2
  let end = 132;
  if (bytes.length >= 144 && view.getUint16(132, true) === 2 && view.getUint16(134, true) === 0)
    end = 144 + view.getUint32(140, true);
  else {
    while (end + 8 <= bytes.length && view.getUint16(end, true) === 2) {
      const vr = latin1(bytes.subarray(end + 4, end + 6));
      end += ['OB', 'OW', 'UN', 'UT', 'SQ'].includes(vr)
        ? 12 + view.getUint32(end + 8, true)
        : 8 + view.getUint16(end + 6, true);
    }
  }
  if (end > bytes.length) throw new FileFormatError(path, 'file meta information runs past the end of the file');
  return { meta: parseDataset(bytes, 132, EXPLICIT_LITTLE, path, end), datasetStart: end };
}

function syntaxOf(uid: string): Syntax {
  if (uid === IMPLICIT_VR_LITTLE_ENDIAN) return { explicit: false, little: true };
  if (uid === EXPLICIT_VR_BIG_ENDIAN) return { explicit: true, little: false };
  return EXPLICIT_LITTLE;
}

function codeItem(code: Code, syntax: Syntax): Uint8Array {
  return concat([
    textElement(0x0008, 0x0100, 'SH', code.value, syntax),
    textElement(0x0008, 0x0102, 'SH', code.scheme, syntax),
    textElement(0x0008, 0x0104, 'LO', code.meaning, syntax),
  ]);
}

/** Pseudonym of a patient ID under the secret: stable across runs, not reversible without the secret. */
export function pseudonym(secret: string, patientId: string): string {
  return `ANON-${createHmac('sha256', secret).update(`patient:${patientId}`).digest('hex').slice(0, 12).toUpperCase()}`;
}

/**
 * De-identifies one file's bytes (see the module comment).
 *
 * @throws FileFormatError for bytes that are not a readable DICOM dataset
 */
export function deidentifyBytes(path: string, input: Uint8Array, policy: FilePolicy): FileResult {
  const { meta, datasetStart } = readMeta(path, input);
  const metaText = (tag: number) => text(input, find(meta, tag));
  const transferSyntaxUid =
    metaText(0x00020010) ?? parseDicomBytes(path, input, { headerOnly: true }).transferSyntaxUid;
  const deflated = transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;
  let data = input.subarray(datasetStart);
  if (deflated) {
    try {
      data = new Uint8Array(inflateRawSync(data));
    } catch (e) {
      throw new FileFormatError(path, `deflated dataset cannot be inflated (${(e as Error).message})`);
    }
  }
  const syntax = syntaxOf(transferSyntaxUid);
  const elements = parseDataset(data, 0, syntax, path);
  const value = (tag: number) => text(data, find(elements, tag));
  const burnedIn = burnedInReason({
    burnedInAnnotation: value(0x00280301),
    recognizableVisualFeatures: value(0x00280302),
    modality: value(0x00080060),
    sopClassUid: value(0x00080016) || metaText(0x00020002),
    hasPixels: !!find(elements, 0x7fe00010) || !!find(elements, 0x7fe00008) || !!find(elements, 0x7fe00009),
  });

  const originalPatientId = value(0x00100020) ?? '';
  const replacementId = policy.pseudonymize ? pseudonym(policy.secret, originalPatientId) : policy.patientId;
  const rewriter = new DatasetRewriter(data, {
    keys: policy.keys,
    secret: policy.secret,
    shiftDays: policy.shiftDays,
    patientId: replacementId,
    patientName: policy.pseudonymize ? replacementId : policy.patientName,
  });
  rewriter.collect(elements);
  const DEID = new Set([0x00120062, 0x00120063, 0x00120064, 0x00280303]);
  const out = rewriter.rewrite(elements, syntax).filter((e) => !DEID.has(e.tag));
  const temporal = policy.keys.has('fulldates') ? 'UNMODIFIED' : policy.keys.has('moddates') ? 'MODIFIED' : 'REMOVED';
  out.push(
    { tag: 0x00120062, bytes: textElement(0x0012, 0x0062, 'CS', 'YES', syntax) },
    {
      tag: 0x00120063,
      bytes: textElement(0x0012, 0x0063, 'LO', `DICOM PS3.15 E.1 Basic Profile; Vesalius ${VESALIUS_VERSION}`, syntax),
    },
    {
      tag: 0x00120064,
      bytes: sequence(
        0x0012,
        0x0064,
        'SQ',
        policy.codes.map((c) => codeItem(c, syntax)),
        syntax,
      ),
    },
    { tag: 0x00280303, bytes: textElement(0x0028, 0x0303, 'CS', temporal, syntax) },
  );
  out.sort((a, b) => a.tag - b.tag);
  let dataset = concat(out.map((e) => e.bytes));
  if (deflated) dataset = new Uint8Array(deflateRawSync(dataset));

  const keepUids = policy.keys.has('uids');
  const mapUid = (uid: string | undefined) =>
    uid === undefined || uid === '' ? uid : keepUids ? uid : derivedUid(policy.secret, uid);
  const sopInstanceUid = mapUid(value(0x00080018) || metaText(0x00020003)) ?? '';
  const sopClassUid = value(0x00080016) || metaText(0x00020002) || '';
  if (!sopInstanceUid) throw new FileFormatError(path, 'has no SOP Instance UID');
  const metaElements = concat([
    element(0x0002, 0x0001, 'OB', Uint8Array.from([0, 1]), EXPLICIT_LITTLE),
    element(0x0002, 0x0002, 'UI', textBytes(sopClassUid, 'UI'), EXPLICIT_LITTLE),
    element(0x0002, 0x0003, 'UI', textBytes(sopInstanceUid, 'UI'), EXPLICIT_LITTLE),
    element(0x0002, 0x0010, 'UI', textBytes(transferSyntaxUid, 'UI'), EXPLICIT_LITTLE),
    element(0x0002, 0x0012, 'UI', textBytes(IMPLEMENTATION_CLASS_UID, 'UI'), EXPLICIT_LITTLE),
    element(0x0002, 0x0013, 'SH', textBytes(IMPLEMENTATION_VERSION_NAME, 'SH'), EXPLICIT_LITTLE),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaElements.length, true);
  const bytes = concat([
    new Uint8Array(128),
    Uint8Array.from([0x44, 0x49, 0x43, 0x4d]),
    element(0x0002, 0x0000, 'UL', groupLength, EXPLICIT_LITTLE),
    metaElements,
    dataset,
  ]);
  return {
    bytes,
    tally: rewriter.tally,
    ...(burnedIn ? { burnedIn } : {}),
    studyUid: mapUid(value(0x0020000d)),
    seriesUid: mapUid(value(0x0020000e)),
    sopInstanceUid,
  };
}

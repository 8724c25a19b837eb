/**
 * A de-identification test corpus written with dcmjs (not Vesalius): every attribute of PS3.15 Table
 * E.1-1 filled with a distinctive value, at the top level and again inside an item of a sequence the
 * table does not list, sequences of the table holding a nested name and UID, private attributes (one
 * block unsafe, one from the safe list), curve and overlay groups, and pixel data.
 */
import { writeFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { ROWS } from '../../src/deid/table.js';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;
dcmjs.log.setLevel('error');

export interface CorpusValue {
  tag: string;
  vr: string;
  /** The text written (for text VRs), or the latin1 text of the binary value. */
  text: string;
}

export interface Corpus {
  /** Values written per tag at the top level (the same inside the nested item, with prefix N). */
  values: Map<string, CorpusValue>;
  nested: Map<string, CorpusValue>;
  /** Identifying strings that must not survive the Basic Profile anywhere in the output bytes. */
  secrets: string[];
  pixelData: Uint8Array;
  /** Tag of the unlisted sequence holding the nested copy. */
  container: string;
}

const vrOf = (tag: string) => DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`]!.vr;

/** Index of Patient's Name in the table: free text mentions the patient by family name. */
const PATIENT = String(ROWS.findIndex((r) => r.tag === '00100010')).padStart(3, '0');

function textFor(vr: string, i: number, prefix: string): string {
  const n = String(i).padStart(3, '0');
  switch (vr) {
    case 'PN':
      return `${prefix}Fam${n}^${prefix}Given${n}`;
    case 'DA':
      return `19${String(20 + (i % 70)).padStart(2, '0')}0${1 + (i % 9)}${String(10 + (i % 18)).padStart(2, '0')}`;
    case 'DT':
      return `19${String(20 + (i % 70)).padStart(2, '0')}0${1 + (i % 9)}${String(10 + (i % 18)).padStart(2, '0')}112233.${n}456`;
    case 'TM':
      return `1${i % 10}2233.${n}789`;
    case 'UI':
      return `1.2.826.0.1.3680043.10.${prefix === 'N' ? 7777 : 8888}.${1000 + i}`;
    case 'AS':
      return '042Y';
    case 'US':
      return '4';
    case 'DS':
      return `${1000 + i}.5`;
    case 'IS':
      return `${70000 + i}`;
    case 'CS':
      return `${prefix}CS${n}`;
    case 'AE':
      return `${prefix}AE${n}`;
    case 'UR':
      return `http://example.org/${prefix}u${n}`;
    case 'SH':
      return `${prefix}Sh${n}Qx`;
    default:
      return `${prefix}Text${n} about ${prefix}Fam${PATIENT} on 2001-02-03`;
  }
}

function element(tag: string, vr: string, text: string): { vr: string; Value: unknown[] } {
  if (vr === 'PN') return { vr, Value: [{ Alphabetic: text }] };
  if (vr === 'US') return { vr, Value: [4] };
  if (['OB', 'OW', 'UN'].includes(vr))
    return {
      vr: vr === 'UN' ? 'OB' : vr,
      Value: [
        new Uint8Array(Buffer.from(`${text}!`.padEnd(text.length + (text.length % 2 ? 1 : 2), '!'), 'latin1')).buffer,
      ],
    };
  if (vr === 'DS' || vr === 'IS') return { vr, Value: [text] };
  void tag;
  return { vr, Value: [text] };
}

/** Elements (denaturalised) for every table row, values per `prefix`; SQ rows hold a nested name and UID. */
function attributes(
  prefix: string,
  values: Map<string, CorpusValue>,
): Record<string, { vr: string; Value: unknown[] }> {
  const out: Record<string, { vr: string; Value: unknown[] }> = {};
  ROWS.forEach((row, i) => {
    if (!/^[0-9A-F]{8}$/.test(row.tag) || /^000[0-4]/.test(row.tag) || row.tag === 'FFFCFFFC' || row.tag === 'FFFAFFFA')
      return;
    const tag = row.tag;
    const vr = vrOf(tag);
    if (vr === 'SQ') {
      const name = `${prefix}Seq${i}^Person`;
      const uid = `1.2.826.0.1.3680043.10.${prefix === 'N' ? 7776 : 8887}.${1000 + i}`;
      out[tag] = {
        vr: 'SQ',
        Value: [{ '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] }, '00081155': { vr: 'UI', Value: [uid] } }],
      };
      values.set(tag, { tag, vr, text: `${name}|${uid}` });
      return;
    }
    const text = textFor(vr, i, prefix);
    out[tag] = element(tag, vr, text);
    values.set(tag, { tag, vr, text });
  });
  return out;
}

/** `instance` varies the SOP Instance UID (several files of one series). */
export function writeCorpus(path: string, instance = 0): Corpus {
  const values = new Map<string, CorpusValue>();
  const nested = new Map<string, CorpusValue>();
  const top = attributes('', values);
  if (instance) {
    const sop = `${values.get('00080018')!.text}.${instance}`;
    top['00080018'] = { vr: 'UI', Value: [sop] };
    values.set('00080018', { tag: '00080018', vr: 'UI', text: sop });
  }
  const inner = attributes('N', nested);
  const pixelData = new Uint8Array(64 * 2);
  for (let i = 0; i < pixelData.length; i++) pixelData[i] = (i * 37) % 251;
  const container = '00089215'; // Derivation Code Sequence: not in Table E.1-1
  const dict: Record<string, { vr: string; Value: unknown[] }> = {
    ...top,
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.4'] },
    '00080060': { vr: 'CS', Value: ['MR'] },
    [container]: { vr: 'SQ', Value: [inner] },
    '00090010': { vr: 'LO', Value: ['ACME PRIVATE'] },
    '00091001': { vr: 'LO', Value: ['PrivateSecretQz'] },
    '00190010': { vr: 'LO', Value: ['GEMS_ACQU_01'] },
    '00191023': { vr: 'DS', Value: ['12.5'] },
    '00191099': { vr: 'LO', Value: ['UnsafeGeSecretQz'] },
    '50003000': { vr: 'OB', Value: [new Uint8Array(Buffer.from('CurveSecretQz!', 'latin1')).buffer] },
    '60003000': { vr: 'OW', Value: [new Uint8Array(Buffer.from('OverlaySecretQz!', 'latin1')).buffer] },
    '60004000': { vr: 'LT', Value: ['OverlayCommentSecretQz'] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [8] },
    '00280011': { vr: 'US', Value: [8] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [0] },
    '00280301': { vr: 'CS', Value: ['NO'] },
    '7FE00010': { vr: 'OW', Value: [pixelData.slice().buffer] },
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.4',
    MediaStorageSOPInstanceUID: values.get('00080018')!.text,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.1234',
  };
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = dict as never;
  writeFileSync(path, Buffer.from(file.write()));
  const secrets = [...values.values(), ...nested.values()]
    .filter((v) => ['PN', 'LO', 'SH', 'UI', 'DA', 'DT', 'TM', 'ST', 'LT', 'UT', 'UC', 'AE', 'SQ'].includes(v.vr))
    .flatMap((v) => v.text.split('|'))
    .concat(['PrivateSecretQz', 'UnsafeGeSecretQz', 'CurveSecretQz', 'OverlaySecretQz', 'OverlayCommentSecretQz']);
  return { values, nested, secrets, pixelData, container };
}

/**
 * New values for de-identified attributes: dummies per VR (D), date shifts (Modified Dates option),
 * keyed UID replacement (U), and cleaning of free text (C): every identifying value removed from the
 * dataset elsewhere (names and their parts, IDs, dates, addresses ...) and every date-like string is
 * blanked out of the text. Cleaning works on the raw bytes, so it is independent of the character set
 * for ASCII-compatible ones (ISO 8859, UTF-8).
 */
import { derivedUid } from '../io/dicom/write/uid.js';

/** VRs whose values are text (padded with spaces; UI with a NUL). */
export const TEXT_VRS = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);

const DUMMY: Record<string, string> = {
  AE: 'DEIDENTIFIED',
  AS: '000Y',
  CS: 'DEIDENTIFIED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'DEIDENTIFIED',
  LT: 'DEIDENTIFIED',
  PN: 'DEIDENTIFIED',
  SH: 'DEIDENTIFIED',
  ST: 'DEIDENTIFIED',
  TM: '000000',
  UC: 'DEIDENTIFIED',
  UR: 'urn:deidentified',
  UT: 'DEIDENTIFIED',
};

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Text value bytes, padded to even length (NUL for UI, space otherwise). */
export function textBytes(text: string, vr: string): Uint8Array {
  const b = Buffer.from(text, 'latin1');
  if (b.length % 2 === 0) return new Uint8Array(b);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

/** A dummy value of the element's VR and, for binary VRs, of its length (zeros). */
export function dummyValue(vr: string, length: number): Uint8Array {
  const text = DUMMY[vr];
  if (text !== undefined) return textBytes(text, vr);
  return new Uint8Array(length + (length % 2));
}

/** Values of a multi-valued text element (backslash-separated), trimmed of padding. */
export function textValues(bytes: Uint8Array): string[] {
  return latin1(bytes)
    .replace(/[\0 ]+$/, '')
    .split('\\')
    .map((v) => v.trim());
}

/** UID replacement with a keyed hash: the same UID and key always give the same new UID. */
export function mapUids(bytes: Uint8Array, key: string): Uint8Array {
  const mapped = textValues(bytes).map((uid) => (uid === '' ? '' : derivedUid(key, uid)));
  return textBytes(mapped.join('\\'), 'UI');
}

function shiftDate(date: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * 86400000;
  const d = new Date(t);
  if (Number.isNaN(t)) return undefined;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
}

/**
 * Dates (DA) and date-times (DT) moved by `days` (a time of day stays: whole days keep the intervals
 * between events and the time of day). Unparseable values become the dummy date.
 */
export function shiftDates(bytes: Uint8Array, vr: string, days: number): Uint8Array {
  const out = textValues(bytes).map((value) => {
    if (value === '') return '';
    if (vr === 'DA') return shiftDate(value, days) ?? DUMMY.DA!;
    if (vr === 'DT') {
      const shifted = shiftDate(value.slice(0, 8), days);
      return shifted ? shifted + value.slice(8) : DUMMY.DT!;
    }
    return value;
  });
  return textBytes(out.join('\\'), vr);
}

/** Date-like strings: YYYYMMDD, YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, MM-DD-YYYY. */
const DATE_LIKE =
  /\b(1[89]|20)\d{2}[-./]?(0[1-9]|1[0-2])[-./]?(0[1-9]|[12]\d|3[01])\b|\b\d{1,2}[-./]\d{1,2}[-./](1[89]|20)\d{2}\b/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Cleans free text: `identifiers` (values the profile removed from this dataset, and their words of 3
 * or more characters) and date-like strings become "***".
 */
export function cleanText(bytes: Uint8Array, vr: string, identifiers: ReadonlySet<string>): Uint8Array {
  let text = latin1(bytes).replace(/[\0 ]+$/, '');
  const tokens = [...identifiers].filter((t) => t.length >= 3).sort((a, b) => b.length - a.length);
  for (const token of tokens) text = text.replace(new RegExp(escapeRegExp(token), 'gi'), '***');
  text = text.replace(DATE_LIKE, '***');
  return textBytes(text, vr);
}

/** The identifying strings a removed value contributes: the value and, for a person's name, each name. */
export function identifyingTokens(bytes: Uint8Array, vr: string): string[] {
  const out: string[] = [];
  for (const value of textValues(bytes)) {
    if (!value) continue;
    out.push(value);
    if (vr === 'PN')
      for (const part of value.split(/[\^=\s,]+/)) if (part.length >= 3 && part !== value) out.push(part);
  }
  return out;
}

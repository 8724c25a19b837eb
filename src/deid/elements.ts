/**
 * A byte-exact element walker for DICOM datasets (PS3.5 7.1, 7.5): each element with its tag, VR,
 * header and value byte ranges, sequences down to their items. De-identification rewrites only the
 * elements it acts on and copies every other byte range as it was, so pixel data (native or
 * encapsulated) and untouched values come out byte-identical.
 */
import dcmjs from 'dcmjs';
import { FileFormatError } from '../util/errors.js';

export interface Syntax {
  explicit: boolean;
  little: boolean;
}

export interface Element {
  group: number;
  element: number;
  /** Explicit VR, or for implicit VR the dictionary's (UN when unknown). */
  vr: string;
  /** First byte of the header, of the value, and one past the end of the element (delimiters included). */
  start: number;
  valueStart: number;
  end: number;
  /** Value length; undefined for undefined length. */
  length?: number;
  /** Items of a sequence (SQ, or an undefined-length UN, whose items are implicit VR little endian). */
  items?: Item[];
  /** The syntax the items are encoded in (differs from the dataset's for UN sequences). */
  itemSyntax?: Syntax;
}

export interface Item {
  start: number;
  end: number;
  elements: Element[];
}

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;
export const IMPLICIT_LITTLE: Syntax = { explicit: false, little: true };

let dictionary: Record<string, { vr: string }> | undefined;
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** The dictionary VR of a tag (for implicit VR), 'UN' for private and unknown tags. */
export function dictionaryVr(group: number, element: number): string {
  if (group % 2 === 1) return element <= 0xff && element >= 0x10 ? 'LO' : 'UN';
  if (element === 0) return 'UL';
  if (group >= 0x6000 && group <= 0x60ff) return element === 0x3000 ? 'OW' : element === 0x4000 ? 'LT' : 'US';
  dictionary ??= dcmjs.data.DicomMetaDictionary.dictionary;
  const vr = dictionary[`(${hex4(group)},${hex4(element)})`]?.vr ?? 'UN';
  // ambiguous VRs: US or SS / OB or OW; the value bytes are copied as they are either way
  return vr.length === 2 && vr === vr.toUpperCase() ? vr : 'UN';
}

class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number, little: boolean): number {
    this.check(at, 2);
    return this.view.getUint16(at, little);
  }
  u32(at: number, little: boolean): number {
    this.check(at, 4);
    return this.view.getUint32(at, little);
  }
  check(at: number, n: number): void {
    if (at + n > this.bytes.length)
      throw new FileFormatError(this.path, 'file is truncated (an element runs past the end)');
  }
}

function parseItems(r: Reader, start: number, end: number | undefined, syntax: Syntax): { items: Item[]; end: number } {
  const items: Item[] = [];
  let at = start;
  for (;;) {
    if (end !== undefined && at >= end) return { items, end: at };
    const group = r.u16(at, syntax.little);
    const element = r.u16(at + 2, syntax.little);
    const length = r.u32(at + 4, syntax.little);
    if (group !== 0xfffe) throw new FileFormatError(r.path, `expected a sequence item at byte ${at}`);
    if (element === 0xe0dd) return { items, end: at + 8 }; // sequence delimitation
    if (element !== 0xe000)
      throw new FileFormatError(r.path, `unexpected (FFFE,${hex4(element)}) in a sequence at byte ${at}`);
    const valueStart = at + 8;
    if (length === UNDEFINED) {
      const parsed = parseElements(r, valueStart, undefined, syntax, true);
      items.push({ start: at, end: parsed.end, elements: parsed.elements });
      at = parsed.end;
    } else {
      const parsed = parseElements(r, valueStart, valueStart + length, syntax, false);
      items.push({ start: at, end: valueStart + length, elements: parsed.elements });
      at = valueStart + length;
    }
  }
}

/** Skips encapsulated pixel data items up to the sequence delimiter; returns the end. */
function skipFragments(r: Reader, start: number, syntax: Syntax): number {
  let at = start;
  for (;;) {
    const group = r.u16(at, syntax.little);
    const element = r.u16(at + 2, syntax.little);
    const length = r.u32(at + 4, syntax.little);
    if (group !== 0xfffe) throw new FileFormatError(r.path, `encapsulated pixel data: expected an item at byte ${at}`);
    if (element === 0xe0dd) return at + 8;
    r.check(at + 8, length);
    at += 8 + length;
  }
}

function parseElements(
  r: Reader,
  start: number,
  end: number | undefined,
  syntax: Syntax,
  untilItemEnd: boolean,
): { elements: Element[]; end: number } {
  const elements: Element[] = [];
  let at = start;
  const limit = end ?? r.bytes.length;
  while (at < limit) {
    if (at + 8 > r.bytes.length && end === undefined && !untilItemEnd) break;
    const group = r.u16(at, syntax.little);
    const element = r.u16(at + 2, syntax.little);
    if (group === 0xfffe && element === 0xe00d) return { elements, end: at + 8 }; // item delimitation
    // trailing zero padding after the dataset (seen in real files): the dataset ended
    if (group === 0 && element === 0 && !untilItemEnd && end === undefined) break;
    let vr: string;
    let length: number;
    let valueStart: number;
    if (syntax.explicit && group !== 0xfffe) {
      vr = String.fromCharCode(r.bytes[at + 4]!, r.bytes[at + 5]!);
      if (!/^[A-Z]{2}$/.test(vr)) throw new FileFormatError(r.path, `invalid VR at byte ${at + 4}`);
      if (LONG_VRS.has(vr)) {
        length = r.u32(at + 8, syntax.little);
        valueStart = at + 12;
      } else {
        length = r.u16(at + 6, syntax.little);
        valueStart = at + 8;
      }
    } else {
      vr = dictionaryVr(group, element);
      length = r.u32(at + 4, syntax.little);
      valueStart = at + 8;
    }
    const el: Element = { group, element, vr, start: at, valueStart, end: 0 };
    if (length === UNDEFINED) {
      if (vr === 'SQ' || (vr === 'UN' && !(group === 0x7fe0 && element === 0x0010))) {
        // an undefined-length UN is a sequence in implicit VR little endian (PS3.5 6.2.2)
        const itemSyntax = vr === 'SQ' ? syntax : IMPLICIT_LITTLE;
        const parsed = parseItems(r, valueStart, undefined, itemSyntax);
        el.items = parsed.items;
        el.itemSyntax = itemSyntax;
        el.end = parsed.end;
      } else {
        el.end = skipFragments(r, valueStart, syntax);
      }
    } else {
      r.check(valueStart, length);
      el.length = length;
      el.end = valueStart + length;
      if (vr === 'SQ') {
        el.items = parseItems(r, valueStart, el.end, syntax).items;
        el.itemSyntax = syntax;
      }
    }
    elements.push(el);
    at = el.end;
  }
  return { elements, end: at };
}

/** The elements of a dataset from `start` to the end of `bytes` (or `end`). */
export function parseDataset(bytes: Uint8Array, start: number, syntax: Syntax, path: string, end?: number): Element[] {
  return parseElements(new Reader(bytes, path), start, end, syntax, false).elements;
}

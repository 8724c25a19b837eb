/** Encoding elements for the de-identified output, in the dataset's own transfer syntax. */
import { concat } from '../io/dicom/frames.js';
import type { Syntax } from './elements.js';

export { concat };
import { textBytes } from './values.js';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
export const UNDEFINED_LENGTH = 0xffffffff;

/** An element header; `length` is the value length (UNDEFINED_LENGTH for sequences written with delimiters). */
export function elementHeader(group: number, element: number, vr: string, length: number, syntax: Syntax): Uint8Array {
  const long = !syntax.explicit || LONG_VRS.has(vr);
  const out = new Uint8Array(syntax.explicit && long ? 12 : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, syntax.little);
  view.setUint16(2, element, syntax.little);
  if (!syntax.explicit) {
    view.setUint32(4, length, syntax.little);
    return out;
  }
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, length, syntax.little);
  else {
    if (length > 0xffff) throw new RangeError(`a ${vr} value of ${length} bytes does not fit its 16-bit length`);
    view.setUint16(6, length, syntax.little);
  }
  return out;
}

/** An item or delimiter tag (FFFE,eeee) with its 4-byte length. */
export function itemTag(element: number, length: number, syntax: Syntax): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, syntax.little);
  view.setUint16(2, element, syntax.little);
  view.setUint32(4, length, syntax.little);
  return out;
}

/** A whole element with a value. */
export function element(
  group: number,
  elementNumber: number,
  vr: string,
  value: Uint8Array,
  syntax: Syntax,
): Uint8Array {
  return concat([elementHeader(group, elementNumber, vr, value.length, syntax), value]);
}

export function textElement(
  group: number,
  elementNumber: number,
  vr: string,
  text: string,
  syntax: Syntax,
): Uint8Array {
  return element(group, elementNumber, vr, textBytes(text, vr), syntax);
}

/**
 * A sequence of undefined length: items of undefined length, each ending in an item delimiter. The
 * items may be in another syntax than the header (an undefined-length UN holds implicit VR items).
 */
export function sequence(
  group: number,
  elementNumber: number,
  vr: string,
  items: readonly Uint8Array[],
  syntax: Syntax,
  itemSyntax: Syntax = syntax,
): Uint8Array {
  const parts = [elementHeader(group, elementNumber, vr, UNDEFINED_LENGTH, syntax)];
  for (const body of items)
    parts.push(itemTag(0xe000, UNDEFINED_LENGTH, itemSyntax), body, itemTag(0xe00d, 0, itemSyntax));
  parts.push(itemTag(0xe0dd, 0, itemSyntax));
  return concat(parts);
}

import { FileFormatError } from '../../util/errors.js';
import type { StoredArray } from './codecs.js';
import type { DataSet } from './parse.js';

/** A PALETTE COLOR lookup table (PS3.3 C.7.6.3.1.5-6): index → (red, green, blue). */
export interface Palette {
  red: Uint16Array;
  green: Uint16Array;
  blue: Uint16Array;
  /** First stored value mapped (values below map to entry 0, above to the last entry). */
  first: number;
  bits: 8 | 16;
}

function lutData(path: string, ds: DataSet, tag: string, entries: number, bits: number): Uint16Array {
  const el = ds.elements[tag];
  if (!el)
    throw new FileFormatError(path, `PALETTE COLOR without lookup table data (${tag.slice(1, 5)},${tag.slice(5)})`);
  const bytes = (ds.byteArray as Uint8Array).subarray(el.dataOffset, el.dataOffset + el.length);
  const out = new Uint16Array(entries);
  if (bits === 8 && bytes.length === entries) {
    out.set(bytes); // 8-bit entries packed one per byte
    return out;
  }
  if (bytes.length < entries * 2)
    throw new FileFormatError(path, `palette lookup table ${tag} is shorter than its ${entries} entries`);
  for (let i = 0; i < entries; i++) {
    const word = ds.byteArrayParser.readUint16(bytes, 2 * i);
    out[i] = bits === 8 ? word & 0xff : word;
  }
  return out;
}

export function readPalette(path: string, ds: DataSet): Palette {
  if (ds.elements.x00281221) throw new FileFormatError(path, 'segmented PALETTE COLOR lookup tables are not supported');
  const entriesRaw = ds.uint16('x00281101', 0);
  if (entriesRaw === undefined)
    throw new FileFormatError(path, 'PALETTE COLOR without a lookup table descriptor (0028,1101)');
  const entries = entriesRaw === 0 ? 65536 : entriesRaw;
  const first = ds.uint16('x00281101', 1) ?? 0;
  const bits = ds.uint16('x00281101', 2) === 8 ? 8 : 16;
  return {
    red: lutData(path, ds, 'x00281201', entries, bits),
    green: lutData(path, ds, 'x00281202', entries, bits),
    blue: lutData(path, ds, 'x00281203', entries, bits),
    first,
    bits,
  };
}

/** Stored indices → interleaved RGB through the palette. */
export function applyPalette(indices: StoredArray, palette: Palette): Uint8Array | Uint16Array {
  const out = palette.bits === 8 ? new Uint8Array(indices.length * 3) : new Uint16Array(indices.length * 3);
  const last = palette.red.length - 1;
  for (let p = 0; p < indices.length; p++) {
    let e = indices[p]! - palette.first;
    e = e < 0 ? 0 : Math.min(e, last);
    out[3 * p] = palette.red[e]!;
    out[3 * p + 1] = palette.green[e]!;
    out[3 * p + 2] = palette.blue[e]!;
  }
  return out;
}

import dicomParser from 'dicom-parser';
import { FileFormatError } from '../../util/errors.js';
import type { StoredArray } from './codecs.js';
import type { DataSet } from './parse.js';
import { expandSegmentedLut, SegmentedLutError } from './segmented-lut.js';

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

const tagName = (tag: string) => `(${tag.slice(1, 5)},${tag.slice(5)})`;

/** A Segmented Palette Color Lookup Table Data element (PS3.3 C.7.9.2), expanded to `entries` values. */
function segmentedLutData(path: string, ds: DataSet, tag: string, entries: number, bits: number): Uint16Array {
  const el = ds.elements[tag];
  if (!el) throw new FileFormatError(path, `PALETTE COLOR without segmented lookup table data ${tagName(tag)}`);
  const bytes = (ds.byteArray as Uint8Array).subarray(el.dataOffset, el.dataOffset + el.length);
  const littleEndian = ds.byteArrayParser === dicomParser.littleEndianByteArrayParser;
  let data: ArrayLike<number> = bytes;
  if (bits !== 8) {
    const words = new Uint16Array(bytes.length >> 1);
    for (let i = 0; i < words.length; i++) words[i] = ds.byteArrayParser.readUint16(bytes, 2 * i);
    data = words;
  }
  let lut: number[];
  try {
    lut = expandSegmentedLut(data, bits === 8, littleEndian);
  } catch (e) {
    if (e instanceof SegmentedLutError)
      throw new FileFormatError(path, `segmented palette lookup table ${tagName(tag)}: ${e.message}`);
    throw e;
  }
  if (lut.length < entries)
    throw new FileFormatError(
      path,
      `segmented palette lookup table ${tagName(tag)} expands to ${lut.length} entries, its descriptor gives ${entries}`,
    );
  return Uint16Array.from(lut.slice(0, entries));
}

export function readPalette(path: string, ds: DataSet): Palette {
  const segmented = !ds.elements.x00281201 && !!ds.elements.x00281221;
  const table = segmented ? segmentedLutData : lutData;
  const entriesRaw = ds.uint16('x00281101', 0);
  if (entriesRaw === undefined)
    throw new FileFormatError(path, 'PALETTE COLOR without a lookup table descriptor (0028,1101)');
  const entries = entriesRaw === 0 ? 65536 : entriesRaw;
  const first = ds.uint16('x00281101', 1) ?? 0;
  const bits = ds.uint16('x00281101', 2) === 8 ? 8 : 16;
  return {
    red: table(path, ds, segmented ? 'x00281221' : 'x00281201', entries, bits),
    green: table(path, ds, segmented ? 'x00281222' : 'x00281202', entries, bits),
    blue: table(path, ds, segmented ? 'x00281223' : 'x00281203', entries, bits),
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

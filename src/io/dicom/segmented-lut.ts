/**
 * Segmented palette colour lookup tables (PS3.3 C.7.9.2), expanded as pydicom's `apply_color_lut`
 * (pydicom.pixel_data_handlers.util._expand_segmented_lut) expands them, so that both give the same
 * colours: a linear segment is numpy.linspace(y0 + step, y1, n) rounded half to even, and an indirect
 * segment's offset counts table entries (not bytes).
 */

/** Malformed segment data; the caller adds the file and the table. */
export class SegmentedLutError extends Error {
  override name = 'SegmentedLutError';
}

/** Bounds that keep a corrupt or hostile table from looping or expanding without end. */
const MAX_ENTRIES = 1 << 18;
const MAX_NESTING = 16;

/** numpy.around: to the nearest integer, halves to the even one. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The n values of numpy.linspace(start, stop, n) (endpoint included), computed as numpy computes them. */
function linspace(start: number, stop: number, n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [start];
  const delta = stop - start;
  const div = n - 1;
  const step = delta / div;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + start;
  out[n - 1] = stop;
  return out;
}

interface Segments {
  /** Segment words (16-bit tables) or bytes (8-bit tables) in file order. */
  data: ArrayLike<number>;
  eightBit: boolean;
  littleEndian: boolean;
}

function entry(s: Segments, at: number, what: string): number {
  if (at >= s.data.length)
    throw new SegmentedLutError(`${what} runs past the end of the data (${s.data.length} entries)`);
  return s.data[at]!;
}

/** Expands segments from `start` into `lut`: all of them, or `count` of them (an indirect segment). */
function expand(s: Segments, start: number, lut: number[], count: number | undefined, depth: number): void {
  if (depth > MAX_NESTING) throw new SegmentedLutError(`indirect segments nest deeper than ${MAX_NESTING} (a loop?)`);
  let offset = start;
  let read = 0;
  // the trailing pad entry of odd-length 8-bit data is not a segment (every segment has 3+ entries)
  while (offset + 1 < s.data.length) {
    const opcode = s.data[offset]!;
    const length = s.data[offset + 1]!;
    offset += 2;
    if (opcode === 0) {
      // discrete: `length` values follow
      if (offset + length > s.data.length)
        throw new SegmentedLutError(`a discrete segment of ${length} values runs past the end of the data`);
      for (let i = 0; i < length; i++) lut.push(s.data[offset + i]!);
      offset += length;
    } else if (opcode === 1) {
      // linear: `length` values ramping from the previous value to y1
      if (lut.length === 0) throw new SegmentedLutError('the first segment cannot be a linear segment');
      const y0 = lut[lut.length - 1]!;
      const y1 = entry(s, offset, 'a linear segment');
      offset += 1;
      if (y0 === y1) for (let i = 0; i < length; i++) lut.push(y1);
      else for (const v of linspace(y0 + (y1 - y0) / length, y1, length)) lut.push(roundHalfEven(v));
    } else if (opcode === 2) {
      // indirect: repeat `length` segments found at an entry offset
      if (lut.length === 0) throw new SegmentedLutError('the first segment cannot be an indirect segment');
      let target: number;
      if (s.eightBit) {
        const order = s.littleEndian ? [3, 2, 1, 0] : [2, 3, 0, 1];
        const b = order.map((k) => entry(s, offset + k, 'an indirect segment'));
        target = (((b[0]! << 8) | b[1]!) * 65536 + ((b[2]! << 8) | b[3]!)) >>> 0;
        offset += 4;
      } else {
        target = entry(s, offset + 1, 'an indirect segment') * 65536 + s.data[offset]!;
        offset += 2;
      }
      if (target >= s.data.length)
        throw new SegmentedLutError(`an indirect segment points at entry ${target}, past the end of the data`);
      expand(s, target, lut, length, depth + 1);
    } else {
      throw new SegmentedLutError(`unknown segment type ${opcode} at entry ${offset - 2}`);
    }
    if (lut.length > MAX_ENTRIES) throw new SegmentedLutError(`expands to more than ${MAX_ENTRIES} entries`);
    read++;
    if (read === count) return;
  }
}

/**
 * The lookup table that segmented data describe.
 *
 * @param data - the segment words (16-bit tables, read in the dataset's byte order) or bytes (8-bit
 *   tables, in file order)
 * @param eightBit - the descriptor's third value is 8
 * @param littleEndian - the dataset's byte order (it orders an 8-bit indirect segment's offset bytes)
 * @throws SegmentedLutError when the segments overrun the data, loop, or use an unknown opcode
 */
export function expandSegmentedLut(data: ArrayLike<number>, eightBit: boolean, littleEndian: boolean): number[] {
  const lut: number[] = [];
  expand({ data, eightBit, littleEndian }, 0, lut, undefined, 0);
  return lut;
}

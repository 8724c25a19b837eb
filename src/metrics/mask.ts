import type { VoxelArray } from '../io/image.js';

/** 1 where the voxel's (rounded) value is one of `labels`, else 0. Labels stored as floats are rounded. */
export function labelMask(data: VoxelArray, labels: Iterable<number>): Uint8Array {
  const wanted = [...new Set(labels)];
  const out = new Uint8Array(data.length);
  const integerData = !(data instanceof Float32Array || data instanceof Float64Array);
  if (wanted.every((l) => Number.isInteger(l) && l >= 0 && l < 65536)) {
    // A lookup table indexed by label: one comparison per voxel whatever the number of labels.
    const table = new Uint8Array(Math.max(...wanted, 0) + 1);
    for (const l of wanted) table[l] = 1;
    const size = table.length;
    for (let v = 0; v < data.length; v++) {
      const l = integerData ? data[v]! : Math.round(data[v]!);
      out[v] = l >= 0 && l < size ? table[l]! : 0;
    }
    return out;
  }
  const set = new Set(wanted);
  for (let v = 0; v < data.length; v++) out[v] = set.has(Math.round(data[v]!)) ? 1 : 0;
  return out;
}

/** 1 where the voxel is non-zero: binary masks stored as 0/1, 0/255 or floats, and ROI (field-of-view) masks. */
export function nonzeroMask(data: VoxelArray): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let v = 0; v < data.length; v++) out[v] = data[v] !== 0 ? 1 : 0;
  return out;
}

/** The mask with every voxel outside `roi` cleared (a new array; `roi` absent returns `mask` itself). */
export function restrictToRoi(mask: Uint8Array, roi?: Uint8Array): Uint8Array {
  if (!roi) return mask;
  const out = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) out[v] = mask[v]! & roi[v]!;
  return out;
}

/** Number of non-zero entries. */
export function countNonzero(mask: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < mask.length; v++) n += mask[v]! !== 0 ? 1 : 0;
  return n;
}

/** The distinct (rounded) non-zero values of a label map, sorted ascending. */
export function labelsPresent(data: VoxelArray): number[] {
  const seen = new Set<number>();
  let last = NaN;
  for (let v = 0; v < data.length; v++) {
    const x = data[v]!;
    if (x === last) continue;
    last = x;
    const l = Math.round(x);
    if (l !== 0) seen.add(l);
  }
  return [...seen].sort((a, b) => a - b);
}

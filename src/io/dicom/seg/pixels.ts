/**
 * The voxels of a SEG from a label image: a label map [i, j, k] (value = segment number) or a stack
 * of binary masks [i, j, k, S] (channel s = segment s + 1, masks may overlap). Frames are slices k,
 * rows j, columns i, so a slice is the image's own memory layout. BINARY frames are packed 1 bit per
 * pixel, least significant bit first, with no padding between frames (PS3.5 8.1.1 and 8.2).
 */
import { ShapeError } from '../../../util/errors.js';
import type { Image } from '../../image.js';

export interface SegVoxels {
  /** Pixels per slice (columns × rows). */
  slice: number;
  slices: number;
  /** Voxel counts per segment number (including numbers given with no voxel: 0). */
  counts: Map<number, number>;
  /** Slices where segment s has voxels. */
  slicesOf(segment: number): number[];
  /** Is voxel `index` (slice-major: k·slice + pixel) in segment s? */
  member(segment: number, index: number): boolean;
  /** Writes slice k of segment s into `out` as 0/1 (length `slice`). */
  sliceMask(segment: number, k: number, out: Uint8Array): void;
  /** The label map value at `index` (LABELMAP); throws for overlapping masks. */
  labelAt(index: number): number;
  overlapping: boolean;
}

/** Reads a label image as SEG voxels. Non-integer or negative labels are a ShapeError. */
export function segVoxels(label: Image): SegVoxels {
  const [ni, nj, nk] = [label.shape[0]!, label.shape[1]!, label.shape[2]!];
  const channels = label.shape.slice(3).reduce((a, b) => a * b, 1);
  const slice = ni * nj;
  const n = slice * nk;
  const data = label.data;
  const present = new Map<number, Set<number>>();
  const counts = new Map<number, number>();
  const note = (segment: number, k: number) => {
    counts.set(segment, (counts.get(segment) ?? 0) + 1);
    const set = present.get(segment) ?? new Set<number>();
    set.add(k);
    present.set(segment, set);
  };
  if (channels === 1) {
    for (let v = 0; v < n; v++) {
      const value = data[v]!;
      if (value === 0) continue;
      if (!Number.isInteger(value) || value < 0 || value > 65535)
        throw new ShapeError(`label value ${value} is not a segment number (a non-negative integer up to 65535)`);
      note(value, Math.floor(v / slice));
    }
    return {
      slice,
      slices: nk,
      counts,
      slicesOf: (s) => [...(present.get(s) ?? [])].sort((a, b) => a - b),
      member: (s, index) => data[index] === s,
      sliceMask: (s, k, out) => {
        const base = k * slice;
        for (let p = 0; p < slice; p++) out[p] = data[base + p] === s ? 1 : 0;
      },
      labelAt: (index) => data[index]!,
      overlapping: false,
    };
  }
  let overlapping = false;
  const covered = new Uint8Array(n);
  for (let c = 0; c < channels; c++) {
    counts.set(c + 1, 0);
    for (let v = 0; v < n; v++) {
      if (data[c * n + v] === 0) continue;
      note(c + 1, Math.floor(v / slice));
      if (covered[v]) overlapping = true;
      covered[v] = 1;
    }
  }
  return {
    slice,
    slices: nk,
    counts,
    slicesOf: (s) => [...(present.get(s) ?? [])].sort((a, b) => a - b),
    member: (s, index) => data[(s - 1) * n + index] !== 0,
    sliceMask: (s, k, out) => {
      const base = (s - 1) * n + k * slice;
      for (let p = 0; p < slice; p++) out[p] = data[base + p] !== 0 ? 1 : 0;
    },
    labelAt: (index) => {
      for (let c = 0; c < channels; c++) if (data[c * n + index] !== 0) return c + 1;
      return 0;
    },
    overlapping,
  };
}

/** Packs BINARY frames (segment, slice) into 1-bit pixel data, padded to an even length. */
export function packBinaryFrames(voxels: SegVoxels, frames: readonly { segment: number; k: number }[]): Uint8Array {
  const { slice } = voxels;
  const bytes = Math.ceil((frames.length * slice) / 8);
  const out = new Uint8Array(bytes + (bytes % 2));
  const mask = new Uint8Array(slice);
  let bit = 0;
  for (const { segment, k } of frames) {
    voxels.sliceMask(segment, k, mask);
    let p = 0;
    // unaligned start: bit by bit up to a byte boundary, then whole bytes of 8 pixels
    for (; p < slice && bit & 7; p++, bit++) if (mask[p]) out[bit >> 3]! |= 1 << (bit & 7);
    let at = bit >> 3;
    for (; p + 8 <= slice; p += 8, bit += 8, at++) {
      out[at] =
        mask[p]! |
        (mask[p + 1]! << 1) |
        (mask[p + 2]! << 2) |
        (mask[p + 3]! << 3) |
        (mask[p + 4]! << 4) |
        (mask[p + 5]! << 5) |
        (mask[p + 6]! << 6) |
        (mask[p + 7]! << 7);
    }
    for (; p < slice; p++, bit++) if (mask[p]) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

/** LABELMAP frames: one per slice, 8- or 16-bit segment numbers, little endian. */
export function packLabelmapFrames(voxels: SegVoxels, slices: readonly number[], bits: 8 | 16): Uint8Array {
  const { slice } = voxels;
  const values = bits === 8 ? new Uint8Array(slices.length * slice) : new Uint16Array(slices.length * slice);
  slices.forEach((k, f) => {
    for (let p = 0; p < slice; p++) values[f * slice + p] = voxels.labelAt(k * slice + p);
  });
  const bytes = new Uint8Array(values.buffer, 0, values.byteLength);
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  return padded;
}

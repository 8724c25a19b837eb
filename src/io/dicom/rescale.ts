import type { VoxelArray } from '../image.js';
import type { StoredArray } from './codecs.js';

/** How the stored values of one chunk (one frame's plane of one channel) become output values. */
export interface ChunkTransform {
  slope: number;
  intercept: number;
  /** MONOCHROME1: stored s becomes (lo + hi) − s before rescale, [lo, hi] the BitsStored range. */
  invert?: [number, number];
}

type ArrayCtor = (new (n: number) => VoxelArray) & { BYTES_PER_ELEMENT: number };
const INTEGER_TYPES: [ArrayCtor, number, number][] = [
  [Uint8Array, 0, 255],
  [Int8Array, -128, 127],
  [Uint16Array, 0, 65535],
  [Int16Array, -32768, 32767],
  [Uint32Array, 0, 4294967295],
  [Int32Array, -2147483648, 2147483647],
];

/** Range of stored values that BitsStored and PixelRepresentation allow. */
export function storedRange(bitsStored: number, signed: boolean): [number, number] {
  return signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
}

/** Smallest and largest value of each chunk. */
function chunkRanges(stored: StoredArray, chunkLength: number, chunks: number): [number, number][] {
  const out: [number, number][] = [];
  for (let c = 0; c < chunks; c++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = c * chunkLength, end = i + chunkLength; i < end; i++) {
      const v = stored[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out.push([lo, hi]);
  }
  return out;
}

/**
 * Applies Modality LUT rescale (and MONOCHROME1 inversion) chunk by chunk. Output dtype policy:
 * - slope 1, intercept 0, no inversion anywhere: the stored array itself (no copy);
 * - every slope and intercept an integer: the smallest integer type (uint8, int8, uint16, int16,
 *   uint32, int32), at least as wide as the stored one, that holds the rescaled values actually
 *   present (so CT, stored unsigned or signed with intercept −1024, becomes int16 Hounsfield units);
 * - otherwise float32.
 */
export function rescaleChunks(stored: StoredArray, chunkLength: number, transforms: ChunkTransform[]): VoxelArray {
  if (transforms.every((t) => t.slope === 1 && t.intercept === 0 && !t.invert)) return stored;
  const integral = transforms.every((t) => Number.isInteger(t.slope) && Number.isInteger(t.intercept));
  // Inversion folds into the linear map: slope·(L − s) + b = (−slope)·s + (slope·L + b).
  const linear = transforms.map(({ slope, intercept, invert }) => ({
    a: invert ? -slope : slope,
    b: invert ? slope * (invert[0] + invert[1]) + intercept : intercept,
  }));
  let Ctor: ArrayCtor = Float32Array;
  if (integral) {
    let lo = Infinity,
      hi = -Infinity;
    chunkRanges(stored, chunkLength, transforms.length).forEach(([min, max], c) => {
      const { a, b } = linear[c]!;
      lo = Math.min(lo, a * min + b, a * max + b);
      hi = Math.max(hi, a * min + b, a * max + b);
    });
    Ctor = INTEGER_TYPES.find(([T, min, max]) => T.BYTES_PER_ELEMENT >= stored.BYTES_PER_ELEMENT && lo >= min && hi <= max)?.[0] ?? Float32Array;
  }
  const out = new Ctor(stored.length);
  for (let c = 0; c < transforms.length; c++) {
    const { a, b } = linear[c]!;
    const start = c * chunkLength,
      end = start + chunkLength;
    if (a === 1) for (let i = start; i < end; i++) out[i] = stored[i]! + b;
    else for (let i = start; i < end; i++) out[i] = stored[i]! * a + b;
  }
  return out;
}

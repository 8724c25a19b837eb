import type { VoxelArray } from '../image.js';
import type { StoredArray } from './codecs.js';

/** How the stored values of one frame become output values. */
export interface FrameTransform {
  slope: number;
  intercept: number;
  /** MONOCHROME1: stored s becomes (lo + hi) − s before rescale, [lo, hi] the BitsStored range. */
  invert?: [number, number];
  /** A Real World Value LUT instead of slope and intercept: value = values[s − first]. */
  lut?: { first: number; values: Float64Array };
}

/** The transform as one linear map v = a·s + b (inversion folded in: slope·(L − s) + b). */
export function linearMap(t: FrameTransform): { a: number; b: number } {
  return t.invert
    ? { a: -t.slope, b: t.slope * (t.invert[0] + t.invert[1]) + t.intercept }
    : { a: t.slope, b: t.intercept };
}

export type OutputCtor = (new (n: number) => VoxelArray) & { BYTES_PER_ELEMENT: number };
const INTEGER_TYPES: [OutputCtor, number, number][] = [
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

/*
 * The loops below run over every voxel. A single function fed several typed-array types goes
 * megamorphic in V8 (several times slower), so each array-type combination gets its own copy of the
 * loop, compiled once from the same source.
 */
type RescaleLoop = (out: VoxelArray, offset: number, values: StoredArray, a: number, b: number) => [number, number];
type PlainLoop = (out: VoxelArray, offset: number, values: StoredArray, a: number, b: number) => void;
const rescaleLoops = new Map<string, RescaleLoop>();
const plainLoops = new Map<string, PlainLoop>();

function plainLoop(out: VoxelArray, values: StoredArray): PlainLoop {
  const key = `${out.constructor.name}<-${values.constructor.name}`;
  let loop = plainLoops.get(key);
  if (!loop) {
    loop = new Function(
      'out',
      'offset',
      'values',
      'a',
      'b',
      `const n = values.length;
       if (a === 1) for (let i = 0; i < n; i++) out[offset + i] = values[i] + b;
       else for (let i = 0; i < n; i++) out[offset + i] = values[i] * a + b;`,
    ) as PlainLoop;
    plainLoops.set(key, loop);
  }
  return loop;
}

function smallestHolding(lo: number, hi: number, minBytes: number): OutputCtor | undefined {
  return INTEGER_TYPES.find(([T, min, max]) => T.BYTES_PER_ELEMENT >= minBytes && lo >= min && hi <= max)?.[0];
}

export interface RescaleFrame {
  values: StoredArray;
  transform: FrameTransform;
  /** Stored range the header allows for this frame. */
  headerRange: [number, number];
}

/**
 * The output array type for Modality LUT rescale (and MONOCHROME1 inversion). Policy:
 * - float pixel data: its own float32 or float64; a Real World Value LUT: float32;
 * - slope 1, intercept 0, no inversion anywhere: `storage` itself (values are copied unchanged);
 * - every slope and intercept an integer: an integer type at least as wide as the stored one. When
 *   the rescaled BitsStored range fits that width, the smallest such type (CT stored as 12 bits with
 *   intercept −1024 → int16). Otherwise the stored width is tried (signed when the range goes
 *   negative: CT stored as signed 16 bits with intercept −1024 → int16) and `fallback` is set: the
 *   caller checks the values written and, when they do not fit, uses the smallest type that holds them;
 * - otherwise float32.
 */
export function outputType(frames: RescaleFrame[], storage: OutputCtor): { type: OutputCtor; fallback?: OutputCtor } {
  // float pixel data keeps its precision through any linear map
  if (storage === Float32Array || storage === Float64Array) return { type: storage };
  const transforms = frames.map((f) => f.transform);
  if (transforms.some((t) => t.lut)) return { type: Float32Array };
  if (transforms.every((t) => t.slope === 1 && t.intercept === 0 && !t.invert)) return { type: storage };
  if (!transforms.every((t) => Number.isInteger(t.slope) && Number.isInteger(t.intercept)))
    return { type: Float32Array };
  const span = (ranges: [number, number][]) => {
    let lo = Infinity,
      hi = -Infinity;
    ranges.forEach(([min, max], i) => {
      const { a, b } = linearMap(transforms[i]!);
      lo = Math.min(lo, a * min + b, a * max + b);
      hi = Math.max(hi, a * min + b, a * max + b);
    });
    return [lo, hi] as const;
  };
  const [hlo, hhi] = span(frames.map((f) => f.headerRange));
  const byHeader = smallestHolding(hlo, hhi, storage.BYTES_PER_ELEMENT) ?? Float32Array;
  if (byHeader.BYTES_PER_ELEMENT === storage.BYTES_PER_ELEMENT) return { type: byHeader };
  // The header range needs a wider type; the values present usually fit the stored width (signed CT
  // with intercept −1024): try that width (signed when the header range goes negative), checked
  // while writing, else widen.
  const bits = 8 * storage.BYTES_PER_ELEMENT;
  const optimistic =
    hlo < 0
      ? smallestHolding(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1, storage.BYTES_PER_ELEMENT)
      : smallestHolding(0, 2 ** bits - 1, storage.BYTES_PER_ELEMENT);
  return optimistic && optimistic !== byHeader ? { type: optimistic, fallback: byHeader } : { type: byHeader };
}

/** Does an integer type hold every value in [lo, hi]? */
export function holds(type: OutputCtor, lo: number, hi: number): boolean {
  const entry = INTEGER_TYPES.find(([T]) => T === type);
  return !entry || (lo >= entry[1] && hi <= entry[2]);
}

/** The smallest integer type holding [lo, hi], at least `minBytes` wide, else float32. */
export function typeHolding(lo: number, hi: number, minBytes: number): OutputCtor {
  return smallestHolding(lo, hi, minBytes) ?? Float32Array;
}

/**
 * Writes a·values + b into out[offset ...]. With `track`, returns the range of the values before they
 * were stored (so a caller can tell whether `out`'s type held them); else [NaN, NaN].
 */
export function writeRescaled(
  out: VoxelArray,
  offset: number,
  values: StoredArray,
  a: number,
  b: number,
  track = true,
): [number, number] {
  if (!track) {
    if (a === 1 && b === 0) out.set(values, offset);
    else plainLoop(out, values)(out, offset, values, a, b);
    return [NaN, NaN];
  }
  const key = `${out.constructor.name}<-${values.constructor.name}`;
  let loop = rescaleLoops.get(key);
  if (!loop) {
    loop = new Function(
      'out',
      'offset',
      'values',
      'a',
      'b',
      `let lo = Infinity, hi = -Infinity;
       for (let i = 0, n = values.length; i < n; i++) {
         const v = values[i] * a + b;
         out[offset + i] = v;
         if (v < lo) lo = v;
         if (v > hi) hi = v;
       }
       return [lo, hi];`,
    ) as RescaleLoop;
    rescaleLoops.set(key, loop);
  }
  return loop(out, offset, values, a, b);
}

/**
 * Writes lut.values[s − lut.first] for each stored value s into out[offset ...]. Returns the first
 * stored value the table does not cover (the caller reports it), else undefined.
 */
export function writeLut(
  out: VoxelArray,
  offset: number,
  values: StoredArray,
  lut: { first: number; values: Float64Array },
): number | undefined {
  const n = lut.values.length;
  for (let i = 0; i < values.length; i++) {
    const e = values[i]! - lut.first;
    if (!(e >= 0 && e < n)) return values[i];
    out[offset + i] = lut.values[e]!;
  }
  return undefined;
}

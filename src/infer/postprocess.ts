/**
 * Post-processing of label maps: keep the largest component per class, remove small components,
 * fill holes (connected components themselves are in util/components.ts). Arrays are flat, first axis fastest,
 * with `shape` [i, j, k] (k = 1 for 2D, as in `Image`). Axes of size 1 are ignored for borders.
 */
import {
  backwardOffsets,
  type Components,
  type Connectivity,
  componentsWhere,
  connectedComponents,
  type Shape3,
  shape3,
} from '../util/components.js';
import { OptionError, ShapeError } from '../util/errors.js';

export { type Components, type Connectivity, componentsWhere, connectedComponents };

function foregroundClasses(labels: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  for (let v = 0; v < labels.length; v++) if (labels[v] !== 0) seen.add(labels[v]!);
  return [...seen].sort((a, b) => a - b);
}

/** Default connectivity for the image's dimension: full (8 / 26) neighbourhoods, as nnU-Net uses. */
function fullConnectivity(shape: readonly number[]): Connectivity {
  return (shape[2] ?? 1) > 1 ? 26 : 8;
}

export interface ClassOptions {
  /** Classes to process (default: every non-zero value present). */
  classes?: number[];
  connectivity?: Connectivity;
}

/** Keeps only the largest component of each class; the rest becomes background (0). Ties keep the first in scan order. */
export function keepLargestComponent<T extends ArrayLike<number> & { [i: number]: number }>(
  labels: T,
  shape: readonly number[],
  options: ClassOptions = {},
): T {
  const out = copyOf(labels);
  const connectivity = options.connectivity ?? fullConnectivity(shape);
  for (const c of options.classes ?? foregroundClasses(labels)) {
    const comp = componentsWhere(labels.length, shape, connectivity, (v) => labels[v] === c);
    if (comp.count <= 1) continue;
    let best = 1;
    for (let i = 2; i <= comp.count; i++) if (comp.sizes[i]! > comp.sizes[best]!) best = i;
    for (let v = 0; v < out.length; v++) if (comp.labels[v]! !== 0 && comp.labels[v] !== best) out[v] = 0;
  }
  return out;
}

export interface SmallComponentOptions extends ClassOptions {
  /** Components with fewer voxels than this are removed. */
  minVoxels?: number;
  /** Or: components smaller than this physical size (mm³; mm² for a 2D image) are removed; needs `spacing`. */
  minVolume?: number;
  spacing?: readonly number[];
}

/** Physical size of one voxel: the product of the spacing over axes longer than 1 (area for 2D images). */
export function voxelVolume(shape: readonly number[], spacing: readonly number[]): number {
  let v = 1;
  for (let d = 0; d < 3; d++) if ((shape[d] ?? 1) > 1) v *= spacing[d] ?? 1;
  return v;
}

/** Removes components smaller than `minVoxels` (or `minVolume` in mm³), per class. */
export function removeSmallComponents<T extends ArrayLike<number> & { [i: number]: number }>(
  labels: T,
  shape: readonly number[],
  options: SmallComponentOptions,
): T {
  let minVoxels = options.minVoxels;
  if (options.minVolume !== undefined) {
    if (!options.spacing) throw new OptionError('min_volume', 'needs the image spacing');
    minVoxels = options.minVolume / voxelVolume(shape, options.spacing);
  }
  if (minVoxels === undefined || !(minVoxels >= 0))
    throw new OptionError('min_size', 'give a non-negative min_voxels or min_volume');
  const out = copyOf(labels);
  const connectivity = options.connectivity ?? fullConnectivity(shape);
  for (const c of options.classes ?? foregroundClasses(labels)) {
    const comp = componentsWhere(labels.length, shape, connectivity, (v) => labels[v] === c);
    for (let v = 0; v < out.length; v++) {
      const id = comp.labels[v]!;
      if (id !== 0 && comp.sizes[id]! < minVoxels) out[v] = 0;
    }
  }
  return out;
}

/**
 * Fills holes per class: a hole of class c is a connected region of background (0) voxels that does
 * not touch the image border and whose neighbours all belong to c. Background connectivity is face
 * (4 / 6), like scipy's `binary_fill_holes`; regions touching another class are left alone so one
 * class never overwrites another.
 */
export function fillHoles<T extends ArrayLike<number> & { [i: number]: number }>(
  labels: T,
  shape: readonly number[],
  options: ClassOptions = {},
): T {
  const [ni, nj, nk] = shape3(shape, labels.length);
  const out = copyOf(labels);
  const is3D = nk > 1;
  const connectivity = options.connectivity ?? (is3D ? 6 : 4);
  const comp = componentsWhere(labels.length, shape, connectivity, (v) => labels[v] === 0);
  // For each background component: does it touch the border, and which classes border it?
  const touchesBorder = new Uint8Array(comp.count + 1);
  const neighbour = new Float64Array(comp.count + 1).fill(NaN); // the single bordering class, or -1 for several
  const allOffsets = backwardOffsets(connectivity).flatMap((o) => [o, [-o[0], -o[1], -o[2]] as Shape3]);
  let v = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        const id = comp.labels[v]!;
        if (id === 0) continue;
        if (
          (ni > 1 && (i === 0 || i === ni - 1)) ||
          (nj > 1 && (j === 0 || j === nj - 1)) ||
          (nk > 1 && (k === 0 || k === nk - 1))
        )
          touchesBorder[id] = 1;
        for (const [di, dj, dk] of allOffsets) {
          const a = i + di,
            b = j + dj,
            c = k + dk;
          if (a < 0 || a >= ni || b < 0 || b >= nj || c < 0 || c >= nk) continue;
          const value = labels[a + ni * (b + nj * c)]!;
          if (value === 0) continue;
          const seen = neighbour[id]!;
          if (Number.isNaN(seen)) neighbour[id] = value;
          else if (seen !== value) neighbour[id] = -1;
        }
      }
    }
  }
  const classes = options.classes ? new Set(options.classes) : undefined;
  for (let x = 0; x < out.length; x++) {
    const id = comp.labels[x]!;
    if (id === 0 || touchesBorder[id]) continue;
    const c = neighbour[id]!;
    if (Number.isNaN(c) || c === -1 || (classes && !classes.has(c))) continue;
    out[x] = c;
  }
  return out;
}

function copyOf<T extends ArrayLike<number>>(a: T): T {
  if (ArrayBuffer.isView(a)) return (a as unknown as { slice(): T }).slice();
  return Array.from(a) as unknown as T;
}

/**
 * Class map from per-class scores laid out [C, ...spatial] (channel slowest): the argmax per voxel,
 * ties to the lower class. Uint8Array for up to 256 classes.
 */
export function argmaxChannels(scores: ArrayLike<number>, channels: number): Uint8Array | Uint16Array {
  const n = scores.length / channels;
  if (!Number.isInteger(n) || channels < 1)
    throw new ShapeError(`${scores.length} values do not split into ${channels} channels`);
  const out = channels <= 256 ? new Uint8Array(n) : new Uint16Array(n);
  const best = new Float32Array(n);
  for (let v = 0; v < n; v++) best[v] = scores[v]!;
  for (let c = 1; c < channels; c++) {
    const off = c * n;
    for (let v = 0; v < n; v++) {
      const s = scores[off + v]!;
      if (s > best[v]!) {
        best[v] = s;
        out[v] = c;
      }
    }
  }
  return out;
}

export interface PostprocessOptions {
  keepLargest?: boolean;
  /** Remove components smaller than this many voxels (0 = off). */
  removeSmaller?: number;
  fillHoles?: boolean;
  classes?: number[];
  connectivity?: Connectivity;
}

/** The configured steps in a fixed order: remove small components, keep the largest, fill holes. */
export function postprocess<T extends ArrayLike<number> & { [i: number]: number }>(
  labels: T,
  shape: readonly number[],
  options: PostprocessOptions,
): T {
  let out = labels;
  const common = { classes: options.classes, connectivity: options.connectivity };
  if (options.removeSmaller && options.removeSmaller > 0)
    out = removeSmallComponents(out, shape, { ...common, minVoxels: options.removeSmaller });
  if (options.keepLargest) out = keepLargestComponent(out, shape, common);
  if (options.fillHoles) out = fillHoles(out, shape, { classes: options.classes });
  return out;
}

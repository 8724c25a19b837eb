/**
 * Post-processing of label maps: connected components (union-find, O(n)), keep the largest
 * component per class, remove small components, fill holes. Arrays are flat, first axis fastest,
 * with `shape` [i, j, k] (k = 1 for 2D, as in `Image`). Axes of size 1 are ignored for borders.
 */
import { OptionError, ShapeError } from '../util/errors.js';

/** 4/8 for 2D images, 6/18/26 for 3D (face / face+edge / face+edge+corner neighbours). */
export type Connectivity = 4 | 8 | 6 | 18 | 26;

export interface Components {
  /** 0 for background, 1..count for components, numbered in scan order of their first voxel. */
  labels: Int32Array;
  count: number;
  /** sizes[c] = voxels in component c (sizes[0] = 0). */
  sizes: Int32Array;
}

type Shape3 = [number, number, number];

function shape3(shape: readonly number[], length: number): Shape3 {
  const s: Shape3 = [shape[0] ?? 1, shape[1] ?? 1, shape[2] ?? 1];
  if (shape.slice(3).some((n) => n !== 1))
    throw new ShapeError(`post-processing needs a single-channel [i, j, k] label map, got shape [${shape.join(', ')}]`);
  if (s[0] * s[1] * s[2] !== length)
    throw new ShapeError(`shape [${shape.join(', ')}] does not match ${length} voxels`);
  return s;
}

/** Neighbour offsets already visited in scan order (i fastest), for the given connectivity. */
function backwardOffsets(connectivity: Connectivity): Shape3[] {
  const rank = { 4: 1, 8: 2, 6: 1, 18: 2, 26: 3 }[connectivity];
  if (rank === undefined)
    throw new OptionError('connectivity', `must be 4 or 8 (2D) or 6, 18 or 26 (3D), got ${connectivity}`);
  const planar = connectivity === 4 || connectivity === 8;
  const out: Shape3[] = [];
  for (let dk = -1; dk <= 1; dk++) {
    if (planar && dk !== 0) continue;
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const nonZero = (di !== 0 ? 1 : 0) + (dj !== 0 ? 1 : 0) + (dk !== 0 ? 1 : 0);
        if (nonZero === 0 || nonZero > rank) continue;
        const before = dk < 0 || (dk === 0 && (dj < 0 || (dj === 0 && di < 0)));
        if (before) out.push([di, dj, dk]);
      }
    }
  }
  return out;
}

/** Components of the voxels where `inside(v)` is true. */
export function componentsWhere(
  length: number,
  shape: readonly number[],
  connectivity: Connectivity,
  inside: (v: number) => boolean,
): Components {
  const [ni, nj, nk] = shape3(shape, length);
  const offsets = backwardOffsets(connectivity);
  const provisional = new Int32Array(length);
  const parent: number[] = [0];
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  let v = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        if (!inside(v)) continue;
        let root = 0;
        for (const [di, dj, dk] of offsets) {
          const a = i + di,
            b = j + dj,
            c = k + dk;
          if (a < 0 || a >= ni || b < 0 || b >= nj || c < 0) continue;
          const n = provisional[a + ni * (b + nj * c)]!;
          if (n === 0) continue;
          const r = find(n);
          if (root === 0) root = r;
          else if (r !== root) {
            // union: keep the smaller root so numbering follows scan order
            if (r < root) {
              parent[root] = r;
              root = r;
            } else parent[r] = root;
          }
        }
        if (root === 0) {
          root = parent.length;
          parent.push(root);
        }
        provisional[v] = root;
      }
    }
  }
  const final = new Int32Array(parent.length);
  let count = 0;
  for (let p = 1; p < parent.length; p++) {
    const r = find(p);
    if (r === p) final[p] = ++count;
  }
  const labels = new Int32Array(length);
  const sizes = new Int32Array(count + 1);
  for (let x = 0; x < length; x++) {
    const p = provisional[x]!;
    if (p === 0) continue;
    const c = final[find(p)]!;
    labels[x] = c;
    sizes[c]!++;
  }
  return { labels, count, sizes };
}

/** Components of the non-zero voxels of `mask`. */
export function connectedComponents(
  mask: ArrayLike<number>,
  shape: readonly number[],
  connectivity: Connectivity = 26,
): Components {
  return componentsWhere(mask.length, shape, connectivity, (v) => mask[v] !== 0);
}

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

/**
 * Boxes moved by the spatial transforms that move their image: a box maps to the tight box of its
 * 2^d transformed corners (exact for flips, quarter turns and scaling; for a rotation by another
 * angle the box grows, as in every box-aware augmentation library). Sizes and transform parameters
 * of src/transforms are in tensor axis order (0 = D in 3D, H in 2D); box axes are x, y(, z), so box
 * axis a is tensor axis n − 1 − a. Coordinates are voxel edges (voxel i covers [i, i + 1)).
 */
import type { Compose, TransformRecord } from '../transforms/transform.js';
import { type Matrix, linearPart } from '../transforms/spatial-math.js';
import { OptionError } from '../util/errors.js';
import { type BoxDims, type BoxSet, boxCount, boxSizes, selectBoxes } from './boxes.js';
import { type Geometry, boxesFromWorld, boxesToWorld } from './box-geometry.js';

/** The tight box of each box's transformed corners; `f` maps a point [x, y(, z)] to its new position. */
export function transformBoxes(boxes: ArrayLike<number>, dims: BoxDims, f: (p: number[]) => number[]): Float64Array {
  const n = boxCount(boxes, dims);
  const out = new Float64Array(n * 2 * dims);
  for (let b = 0; b < n; b++) {
    const lo = Array<number>(dims).fill(Infinity),
      hi = Array<number>(dims).fill(-Infinity);
    for (let m = 0; m < 1 << dims; m++) {
      const p = Array.from({ length: dims }, (_, a) => boxes[b * 2 * dims + ((m >> a) & 1) * dims + a]!);
      const q = f(p);
      for (let a = 0; a < dims; a++) {
        lo[a] = Math.min(lo[a]!, q[a]!);
        hi[a] = Math.max(hi[a]!, q[a]!);
      }
    }
    out.set([...lo, ...hi], b * 2 * dims);
  }
  return out;
}

/** Mirrors boxes along tensor spatial axes `axes` of an image of tensor-order `size`. */
export function flipBoxes(boxes: ArrayLike<number>, dims: BoxDims, size: readonly number[], axes: readonly number[]) {
  const flipped = new Set(axes.map((t) => dims - 1 - t));
  return transformBoxes(boxes, dims, (p) => p.map((v, a) => (flipped.has(a) ? size[dims - 1 - a]! - v : v)));
}

/**
 * Quarter turns as transforms/rot90.ts makes them (k = 1: out[o_i, o_j] = in[S_i − 1 − o_j, o_i]
 * in the tensor plane (i, j)); `size` is the input's tensor-order shape.
 */
export function rot90Boxes(
  boxes: ArrayLike<number>,
  dims: BoxDims,
  size: readonly number[],
  k: number,
  plane: readonly [number, number],
): Float64Array {
  const [ti, tj] = plane;
  const ai = dims - 1 - ti,
    aj = dims - 1 - tj;
  const turns = ((k % 4) + 4) % 4;
  let out: Float64Array = Float64Array.from(boxes);
  const sz = [...size];
  for (let t = 0; t < turns; t++) {
    const si = sz[ti]!;
    out = transformBoxes(out, dims, (p) => {
      const q = [...p];
      q[ai] = p[aj]!;
      q[aj] = si - p[ai]!;
      return q;
    });
    [sz[ti], sz[tj]] = [sz[tj]!, sz[ti]!];
  }
  return out;
}

function invert(m: Matrix): Matrix {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]!;
    if (d === 0) throw new OptionError('augmentation', 'the spatial transform is singular (a scale of 0?)');
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/**
 * Boxes through the spatial transform of transforms/spatial.ts: a patch voxel o samples source voxel
 * x = centre + M·(o − (P − 1)/2), so a source point goes to o = M⁻¹·(x − centre) + (P − 1)/2.
 */
export function spatialBoxes(
  boxes: ArrayLike<number>,
  dims: BoxDims,
  sourceSize: readonly number[],
  params: { patchSize: number[]; centre?: number[]; angles?: number[]; scales?: number[]; shears?: number[] },
): Float64Array {
  const n = params.patchSize.length;
  const centre = params.centre ?? sourceSize.map((s) => (s - 1) / 2);
  const inv = invert(linearPart(params.angles ?? [], params.scales ?? [], n, params.shears ?? []));
  return transformBoxes(boxes, dims, (p) => {
    // box point (edge coordinates, x first) → tensor-order voxel index
    const x = Array.from({ length: n }, (_, t) => p[n - 1 - t]! - 0.5 - centre[t]!);
    const o = inv.map((row, t) => row.reduce((s, v, j) => s + v * x[j]!, 0) + (params.patchSize[t]! - 1) / 2);
    return Array.from({ length: n }, (_, a) => o[n - 1 - a]! + 0.5);
  });
}

/** Transforms that change intensities only: boxes stay where they are. */
const INTENSITY_ONLY = new Set(['GaussianNoise', 'GaussianBlur', 'Brightness', 'Contrast', 'LowResolution', 'Gamma']);

/**
 * Boxes through a recorded augmentation (Compose record of the transforms that made the patch), in
 * order; `sourceSize` is the source's tensor-order spatial shape. Returns the boxes in the output's
 * coordinates and the output's size. Throws for elastic or grid deformations, which have no box.
 */
export function boxesThroughRecord(
  boxes: ArrayLike<number>,
  dims: BoxDims,
  sourceSize: readonly number[],
  record: TransformRecord,
): { boxes: Float64Array; size: number[] } {
  let out: Float64Array = Float64Array.from(boxes);
  let size = [...sourceSize];
  const steps = record.name === 'Compose' ? (record.params.transforms as TransformRecord[]) : [record];
  for (const step of steps) {
    const p = step.params;
    switch (step.name) {
      case 'Spatial': {
        if (p.elastic !== undefined || p.gridDistortion !== undefined)
          throw new OptionError(
            'augmentation',
            'elastic and grid deformations do not move boxes; turn them off for detection (p: 0)',
          );
        out = spatialBoxes(out, dims, size, p as never);
        size = [...(p.patchSize as number[])];
        break;
      }
      case 'Flip':
        out = flipBoxes(out, dims, size, p.axes as number[]);
        break;
      case 'Rot90': {
        const plane = p.plane as [number, number];
        out = rot90Boxes(out, dims, size, p.k as number, plane);
        const turns = (((p.k as number) % 4) + 4) % 4;
        if (turns % 2 === 1) [size[plane[0]], size[plane[1]]] = [size[plane[1]]!, size[plane[0]]!];
        break;
      }
      default:
        if (!INTENSITY_ONLY.has(step.name))
          throw new OptionError('augmentation', `the '${step.name}' transform has no box counterpart`);
    }
  }
  return { boxes: out, size };
}

/** Boxes through a sampled augmentation (see boxesThroughRecord). */
export function boxesThroughCompose(
  boxes: ArrayLike<number>,
  dims: BoxDims,
  sourceSize: readonly number[],
  transform: Compose,
): { boxes: Float64Array; size: number[] } {
  return boxesThroughRecord(boxes, dims, sourceSize, transform.record());
}

export interface KeepInsideOptions {
  /** Keep a clipped box only when at least this fraction of its size stays inside (default 0.25). */
  minVisibility?: number;
  /** ... and it spans at least this many voxels along every axis (default 1). */
  minSize?: number;
}

/**
 * Clips a transformed box set to an output of tensor-order `size` and drops the boxes that (nearly)
 * left it: what a crop does to the objects it cuts.
 */
export function keepInside(set: BoxSet, size: readonly number[], options: KeepInsideOptions = {}): BoxSet {
  const dims = set.dims;
  const minVisibility = options.minVisibility ?? 0.25,
    minSize = options.minSize ?? 1;
  const before = boxSizes(set.boxes, dims);
  const clipped = Float64Array.from(set.boxes);
  const keep: number[] = [];
  for (let b = 0; b < set.labels.length; b++) {
    let ok = true;
    let after = 1;
    for (let a = 0; a < dims; a++) {
      const limit = size[dims - 1 - a]!;
      const lo = Math.min(Math.max(clipped[b * 2 * dims + a]!, 0), limit);
      const hi = Math.min(Math.max(clipped[b * 2 * dims + dims + a]!, 0), limit);
      clipped[b * 2 * dims + a] = lo;
      clipped[b * 2 * dims + dims + a] = hi;
      if (hi - lo < minSize) ok = false;
      after *= Math.max(0, hi - lo);
    }
    if (ok && after >= minVisibility * before[b]!) keep.push(b);
  }
  return selectBoxes({ ...set, boxes: clipped }, keep);
}

/** Boxes of an image resampled onto another grid (new spacing, origin or direction), through patient space. */
export function resampleBoxes(boxes: ArrayLike<number>, dims: BoxDims, from: Geometry, to: Geometry): Float64Array {
  return boxesFromWorld(boxesToWorld(boxes, dims, from), dims, to);
}

/**
 * Connected components of a flat voxel array (union-find, O(n)), first axis fastest, with `shape`
 * [i, j, k] (k = 1 for 2D, as in `Image`). Shared by post-processing (infer) and by detection, which
 * turns each component of a label map into a box.
 */
import { OptionError, ShapeError } from './errors.js';

/** 4/8 for 2D images, 6/18/26 for 3D (face / face+edge / face+edge+corner neighbours). */
export type Connectivity = 4 | 8 | 6 | 18 | 26;

export interface Components {
  /** 0 for background, 1..count for components, numbered in scan order of their first voxel. */
  labels: Int32Array;
  count: number;
  /** sizes[c] = voxels in component c (sizes[0] = 0). */
  sizes: Int32Array;
}

export type Shape3 = [number, number, number];

export function shape3(shape: readonly number[], length: number): Shape3 {
  const s: Shape3 = [shape[0] ?? 1, shape[1] ?? 1, shape[2] ?? 1];
  if (shape.slice(3).some((n) => n !== 1))
    throw new ShapeError(`post-processing needs a single-channel [i, j, k] label map, got shape [${shape.join(', ')}]`);
  if (s[0] * s[1] * s[2] !== length)
    throw new ShapeError(`shape [${shape.join(', ')}] does not match ${length} voxels`);
  return s;
}

/** Neighbour offsets already visited in scan order (i fastest), for the given connectivity. */
export function backwardOffsets(connectivity: Connectivity): Shape3[] {
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

import { activeAxes, type Grid } from './grid.js';

/**
 * The surface of a binary mask as boundary voxels, each weighted by the area of its exposed faces.
 *
 * Choice (documented for users): a surface element is a foreground voxel with at least one
 * face-neighbour (6-connectivity in 3D, 4 in 2D) in the background or outside the image. Its
 * surface area is the sum of the areas of those exposed faces — s_j·s_k for a face across i, and so
 * on; in 2D (k = 1) a face across i is an edge of length s_j. Surface distances are measured between
 * boundary-voxel centres in mm (as MONAI and medpy do, so that identical masks are 0 apart and
 * numbers are comparable with theirs); NSD weights each element by its area, as DeepMind's
 * surface-distance library does with its surfels, so a finely sliced side does not outweigh the rest.
 */
export interface Surface {
  /** Linear voxel indices of the boundary voxels, ascending. */
  indices: Int32Array;
  /** Exposed face area of each boundary voxel, mm² (mm for 2D contours). */
  areas: Float64Array;
  totalArea: number;
}

/** The boundary voxels of a binary mask and their exposed face areas (the rule: the comment on `Surface`). */
export function extractSurface(mask: Uint8Array, grid: Grid): Surface {
  const [n0, n1, n2] = grid.shape;
  const axes = activeAxes(grid);
  const strides = [1, n0, n0 * n1];
  const faceArea = [0, 1, 2].map((a) => axes.filter((b) => b !== a).reduce((p, b) => p * grid.spacing[b]!, 1));
  const indices: number[] = [];
  const areas: number[] = [];
  let totalArea = 0;
  const has0 = axes.includes(0),
    has1 = axes.includes(1),
    has2 = axes.includes(2);
  for (let k = 0, v = 0; k < n2; k++) {
    for (let j = 0; j < n1; j++) {
      for (let i = 0; i < n0; i++, v++) {
        if (mask[v] === 0) continue;
        let exposed = 0;
        if (has0) {
          if (i === 0 || mask[v - 1] === 0) exposed += faceArea[0]!;
          if (i === n0 - 1 || mask[v + 1] === 0) exposed += faceArea[0]!;
        }
        if (has1) {
          if (j === 0 || mask[v - strides[1]!] === 0) exposed += faceArea[1]!;
          if (j === n1 - 1 || mask[v + strides[1]!] === 0) exposed += faceArea[1]!;
        }
        if (has2) {
          if (k === 0 || mask[v - strides[2]!] === 0) exposed += faceArea[2]!;
          if (k === n2 - 1 || mask[v + strides[2]!] === 0) exposed += faceArea[2]!;
        }
        if (exposed > 0) {
          indices.push(v);
          areas.push(exposed);
          totalArea += exposed;
        }
      }
    }
  }
  return { indices: Int32Array.from(indices), areas: Float64Array.from(areas), totalArea };
}

/** The surface and distance conventions, as printed into evaluation summaries. */
export const SURFACE_DEFINITION =
  'surface = foreground voxels with a face-neighbour (6-connected in 3D, 4 in 2D) in the background or outside the image; ' +
  'distances in mm between boundary-voxel centres using the voxel spacing (exact Euclidean distance transform); ' +
  'HD = max of both directions; HD95 = max over the two directions of the 95th percentile (linear interpolation) of that ' +
  "direction's distances; ASSD = mean over the union of both directions' distances; NSD = fraction of the total exposed " +
  'face area of both surfaces whose distance to the other surface is <= tolerance.';

/**
 * Overlap of boxes (corners layout, see boxes.ts): intersection over union and generalised IoU
 * (Rezatofighi et al. 2019: IoU − |C \ (A ∪ B)| / |C|, C the smallest box enclosing both), pairwise
 * as dense row-major matrices — torchvision's box_iou / generalized_box_iou, in 2D and 3D. A box of
 * zero size has IoU 0 with everything (also with itself), never NaN.
 */
import { type BoxDims, boxCount } from './boxes.js';

function overlap(
  a: ArrayLike<number>,
  i: number,
  b: ArrayLike<number>,
  j: number,
  dims: BoxDims,
): { inter: number; union: number; hull: number } {
  const w = 2 * dims;
  let inter = 1,
    va = 1,
    vb = 1,
    hull = 1;
  for (let d = 0; d < dims; d++) {
    const a0 = a[i * w + d]!,
      a1 = a[i * w + dims + d]!,
      b0 = b[j * w + d]!,
      b1 = b[j * w + dims + d]!;
    inter *= Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    va *= Math.max(0, a1 - a0);
    vb *= Math.max(0, b1 - b0);
    hull *= Math.max(0, Math.max(a1, b1) - Math.min(a0, b0));
  }
  return { inter, union: va + vb - inter, hull };
}

/** IoU of box i of `a` with box j of `b`. */
export function iouOf(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dims: BoxDims): number {
  const { inter, union } = overlap(a, i, b, j, dims);
  return union > 0 ? inter / union : 0;
}

/** IoU matrix: out[i·nb + j] = IoU(a_i, b_j). */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>, dims: BoxDims): Float64Array {
  const na = boxCount(a, dims),
    nb = boxCount(b, dims);
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) out[i * nb + j] = iouOf(a, i, b, j, dims);
  return out;
}

/** Generalised IoU matrix, in [−1, 1]. */
export function generalizedBoxIou(a: ArrayLike<number>, b: ArrayLike<number>, dims: BoxDims): Float64Array {
  const na = boxCount(a, dims),
    nb = boxCount(b, dims);
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      const { inter, union, hull } = overlap(a, i, b, j, dims);
      const iou = union > 0 ? inter / union : 0;
      out[i * nb + j] = hull > 0 ? iou - (hull - union) / hull : iou;
    }
  }
  return out;
}

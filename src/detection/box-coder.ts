/**
 * torchvision's BoxCoder (Faster R-CNN / RetinaNet box parameterisation) in 2D and 3D: a box relative
 * to its anchor as (Δx, Δy, (Δz,) log w, log h, (log d)) — centre offsets in anchor sizes, log size
 * ratios — divided by `weights` (default 1); decoding clamps the log ratios at log(1000/16), as
 * torchvision does. Encoding (training targets) runs on plain arrays; decoding on plain arrays
 * (inference) or on tensors (losses that compare decoded boxes, such as GIoU).
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import type { BoxDims } from './boxes.js';

export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

/** Regression targets of boxes (rows of `boxes`) against their anchors (rows of `anchors`); same count. */
export function encodeBoxes(
  boxes: ArrayLike<number>,
  anchors: ArrayLike<number>,
  dims: BoxDims,
  count: number,
  weights?: readonly number[],
): Float32Array {
  const w = 2 * dims;
  const out = new Float32Array(count * w);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < dims; a++) {
      const aLo = anchors[i * w + a]!,
        aHi = anchors[i * w + dims + a]!;
      const bLo = boxes[i * w + a]!,
        bHi = boxes[i * w + dims + a]!;
      const aSize = aHi - aLo,
        bSize = bHi - bLo;
      const aCtr = aLo + 0.5 * aSize,
        bCtr = bLo + 0.5 * bSize;
      out[i * w + a] = ((weights?.[a] ?? 1) * (bCtr - aCtr)) / aSize;
      out[i * w + dims + a] = (weights?.[dims + a] ?? 1) * Math.log(bSize / aSize);
    }
  }
  return out;
}

/** Boxes from regression outputs `codes` (count × 2·dims) and their anchors. */
export function decodeBoxes(
  codes: ArrayLike<number>,
  anchors: ArrayLike<number>,
  dims: BoxDims,
  count: number,
  weights?: readonly number[],
): Float64Array {
  const w = 2 * dims;
  const out = new Float64Array(count * w);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < dims; a++) {
      const lo = anchors[i * w + a]!,
        size = anchors[i * w + dims + a]! - lo;
      const ctr = lo + 0.5 * size;
      const d = codes[i * w + a]! / (weights?.[a] ?? 1);
      const s = Math.min(codes[i * w + dims + a]! / (weights?.[dims + a] ?? 1), BBOX_XFORM_CLIP);
      const c = d * size + ctr,
        half = 0.5 * Math.exp(s) * size;
      out[i * w + a] = c - half;
      out[i * w + dims + a] = c + half;
    }
  }
  return out;
}

/** decodeBoxes on tensors: codes and anchors (M, 2·dims) → boxes (M, 2·dims), differentiable in codes. */
export function decodeBoxesTensor(codes: Tensor, anchors: Tensor, dims: BoxDims): Tensor {
  return ve.tidy(() => {
    const lo = ve.slice(anchors, 1, 0, dims),
      hi = ve.slice(anchors, 1, dims, 2 * dims);
    const size = ve.sub(hi, lo);
    const ctr = ve.add(lo, ve.mul(size, 0.5));
    const c = ve.add(ve.mul(ve.slice(codes, 1, 0, dims), size), ctr);
    const half = ve.mul(ve.mul(ve.exp(ve.clamp(ve.slice(codes, 1, dims, 2 * dims), null, BBOX_XFORM_CLIP)), size), 0.5);
    return ve.cat([ve.sub(c, half), ve.add(c, half)], 1);
  });
}

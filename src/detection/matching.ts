/**
 * Which anchor learns which object. Each returns, per anchor, the index of its ground-truth box, or
 * BACKGROUND (−1), or IGNORE (−2: between the thresholds, left out of the classification loss).
 *
 * - 'iou': torchvision's Matcher(fg, bg, allow_low_quality_matches=True): an anchor's best IoU ≥ fg →
 *   that box; < bg → background; between → ignored; then every anchor that ties a box's own best
 *   IoU takes back its best box (so every box gets at least one anchor). Unlike torchvision, a box
 *   that overlaps no anchor at all (best IoU 0) does not turn every non-overlapping anchor into a
 *   positive.
 * - 'atss' (Zhang et al. 2020): per box and level the `topk` anchors whose centres are nearest the
 *   box's centre are candidates; those with IoU ≥ mean + std of the candidates' IoUs (population std,
 *   torch.std's unbiased one in the reference implementation is used here too) and their centre inside
 *   the box are positives; an anchor claimed by several boxes goes to the one of highest IoU.
 */
import type { LevelAnchors } from './anchors.js';
import { iouOf } from './box-iou.js';
import type { BoxDims } from './boxes.js';

export const BACKGROUND = -1;
export const IGNORE = -2;

export interface IouMatcherOptions {
  foreground?: number;
  background?: number;
  allowLowQuality?: boolean;
}

/** IoU matrix gt × anchors, row-major. */
function iouMatrix(
  gt: ArrayLike<number>,
  numGt: number,
  anchors: ArrayLike<number>,
  numAnchors: number,
  dims: BoxDims,
) {
  const m = new Float64Array(numGt * numAnchors);
  const w = 2 * dims;
  for (let a = 0; a < numAnchors; a++) {
    for (let g = 0; g < numGt; g++) {
      // quick reject: no overlap along x
      if (anchors[a * w]! >= gt[g * w + dims]! || anchors[a * w + dims]! <= gt[g * w]!) continue;
      m[g * numAnchors + a] = iouOf(gt, g, anchors, a, dims);
    }
  }
  return m;
}

/** Matches anchors to boxes by IoU thresholds (torchvision Matcher with low-quality matches); see the file comment. */
export function matchByIou(
  gt: ArrayLike<number>,
  anchors: ArrayLike<number>,
  dims: BoxDims,
  options: IouMatcherOptions = {},
): Int32Array {
  const fg = options.foreground ?? 0.5,
    bg = options.background ?? 0.4;
  const w = 2 * dims;
  const numGt = gt.length / w,
    numAnchors = anchors.length / w;
  const out = new Int32Array(numAnchors).fill(BACKGROUND);
  if (numGt === 0) return out;
  const iou = iouMatrix(gt, numGt, anchors, numAnchors, dims);
  const best = new Int32Array(numAnchors);
  for (let a = 0; a < numAnchors; a++) {
    let b = 0,
      v = iou[a]!;
    for (let g = 1; g < numGt; g++) {
      const x = iou[g * numAnchors + a]!;
      if (x > v) {
        v = x;
        b = g;
      }
    }
    best[a] = b;
    out[a] = v >= fg ? b : v < bg ? BACKGROUND : IGNORE;
  }
  if (options.allowLowQuality ?? true) {
    for (let g = 0; g < numGt; g++) {
      let top = 0;
      for (let a = 0; a < numAnchors; a++) top = Math.max(top, iou[g * numAnchors + a]!);
      if (top <= 0) continue;
      for (let a = 0; a < numAnchors; a++) if (iou[g * numAnchors + a] === top) out[a] = best[a]!;
    }
  }
  return out;
}

/** Matches anchors to boxes by ATSS (adaptive IoU threshold per box); see the file comment. */
export function matchByAtss(
  gt: ArrayLike<number>,
  anchors: LevelAnchors,
  dims: BoxDims,
  options: { topk?: number } = {},
): Int32Array {
  const topk = options.topk ?? 9;
  const w = 2 * dims;
  const numGt = gt.length / w,
    numAnchors = anchors.boxes.length / w;
  const out = new Int32Array(numAnchors).fill(BACKGROUND);
  const bestIou = new Float64Array(numAnchors);
  const a = anchors.boxes;
  const centre = (boxes: ArrayLike<number>, i: number, ax: number) =>
    (boxes[i * w + ax]! + boxes[i * w + dims + ax]!) / 2;
  for (let g = 0; g < numGt; g++) {
    const candidates: number[] = [];
    let start = 0;
    for (const count of anchors.counts) {
      const dist: Array<[number, number]> = [];
      for (let i = start; i < start + count; i++) {
        let d2 = 0;
        for (let ax = 0; ax < dims; ax++) d2 += (centre(a, i, ax) - centre(gt, g, ax)) ** 2;
        dist.push([d2, i]);
      }
      dist.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (const [, i] of dist.slice(0, topk)) candidates.push(i);
      start += count;
    }
    const ious = candidates.map((i) => iouOf(gt, g, a, i, dims));
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const std = Math.sqrt(ious.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, ious.length - 1));
    const threshold = mean + std;
    candidates.forEach((i, k) => {
      const v = ious[k]!;
      if (v < threshold || v <= 0) return;
      for (let ax = 0; ax < dims; ax++) {
        const c = centre(a, i, ax);
        if (c <= gt[g * w + ax]! || c >= gt[g * w + dims + ax]!) return;
      }
      if (v > bestIou[i]!) {
        bestIou[i] = v;
        out[i] = g;
      }
    });
  }
  return out;
}

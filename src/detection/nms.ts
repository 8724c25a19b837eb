/**
 * Merging overlapping detections, in 2D and 3D.
 *  - Non-maximum suppression (torchvision.ops.nms / batched_nms): best score first, a box is dropped
 *    when its IoU with a kept box of the same class exceeds the threshold. Equal scores keep their
 *    given order.
 *  - Weighted box fusion (Solovyev et al. 2021), for the overlapping windows of a sliding window and
 *    the mirrored copies of test-time augmentation: boxes of one class, best first, join the first
 *    cluster whose fused box they overlap with IoU > threshold; a cluster's box is the score-weighted
 *    mean of its boxes and its score their mean score × min(boxes, views) / views, so a box only one
 *    of `views` passes found is down-weighted.
 */
import { iouOf } from './box-iou.js';
import { type BoxSet, boxWidth, selectBoxes } from './boxes.js';

function byScore(set: BoxSet): number[] {
  const s = set.scores!;
  return Array.from(set.labels, (_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b);
}

/** Indices of the boxes kept by class-wise NMS, best score first. */
export function nmsIndices(set: BoxSet, iouThreshold: number, classAgnostic = false): number[] {
  const order = byScore(set);
  const kept: number[] = [];
  const suppressed = new Uint8Array(set.labels.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (suppressed[i]) continue;
    kept.push(i);
    for (let m = k + 1; m < order.length; m++) {
      const j = order[m]!;
      if (suppressed[j] || (!classAgnostic && set.labels[j] !== set.labels[i])) continue;
      if (iouOf(set.boxes, i, set.boxes, j, set.dims) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}

/** Class-wise NMS; the result is sorted by score. */
export function nms(set: BoxSet, iouThreshold = 0.5, classAgnostic = false): BoxSet {
  return selectBoxes(set, nmsIndices(set, iouThreshold, classAgnostic));
}

export interface FusionOptions {
  iouThreshold?: number;
  /** How many passes (windows covering the spot, mirrored views) could have found each box (default 1). */
  views?: number;
}

/** Weighted box fusion of one set of scored boxes (all views pooled). */
export function weightedBoxFusion(set: BoxSet, options: FusionOptions = {}): BoxSet {
  const thr = options.iouThreshold ?? 0.55;
  const views = options.views ?? 1;
  const dims = set.dims,
    w = boxWidth(dims);
  const clusters: Array<{ label: number; members: number[]; fused: Float64Array }> = [];
  for (const i of byScore(set)) {
    const label = set.labels[i]!;
    const box = set.boxes.subarray(i * w, i * w + w);
    let best: (typeof clusters)[number] | undefined;
    let bestIou = thr;
    for (const c of clusters) {
      if (c.label !== label) continue;
      const v = iouOf(c.fused, 0, box, 0, dims);
      if (v > bestIou) {
        bestIou = v;
        best = c;
      }
    }
    if (!best) {
      clusters.push({ label, members: [i], fused: Float64Array.from(box) });
      continue;
    }
    best.members.push(i);
    const fused = new Float64Array(w);
    let total = 0;
    for (const m of best.members) {
      const s = set.scores![m]!;
      total += s;
      for (let k = 0; k < w; k++) fused[k]! += s * set.boxes[m * w + k]!;
    }
    for (let k = 0; k < w; k++) fused[k]! /= total || 1;
    best.fused = fused;
  }
  const out: BoxSet = {
    dims,
    boxes: new Float64Array(clusters.length * w),
    labels: new Int32Array(clusters.length),
    scores: new Float32Array(clusters.length),
  };
  clusters.forEach((c, k) => {
    out.boxes.set(c.fused, k * w);
    out.labels[k] = c.label;
    const mean = c.members.reduce((s, m) => s + set.scores![m]!, 0) / c.members.length;
    out.scores![k] = (mean * Math.min(c.members.length, views)) / views;
  });
  return selectBoxes(out, byScore(out));
}

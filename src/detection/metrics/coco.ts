/**
 * COCO average precision exactly as pycocotools' COCOeval computes it for boxes (crowd-free, area
 * range 'all'): per image and class the detections, best score first (a stable sort: ties keep their
 * order), at most `maxDetections` of them, are matched greedily to the still-unmatched ground-truth
 * box of highest IoU ≥ t (ties to the later box, as COCOeval's `<` comparison does); then, over all
 * images, detections are sorted by score (stable, in image order), precision is made monotone from
 * the right, and read at 101 recall thresholds 0, 0.01, …, 1 (the first point whose recall reaches
 * each threshold; 0 past the highest recall). AP of a class is the mean of those 101 values; a class
 * without ground truth in any image has no AP (NaN, left out of the means, COCOeval's −1).
 * mAP@[.5:.95] averages over the ten IoU thresholds 0.5, 0.55, …, 0.95 and the classes.
 * nnDetection reports AP at IoU 0.1 for 3D lesions: pass iouThresholds [0.1].
 */
import type { BoxDims, BoxSet } from '../boxes.js';
import { iouOf } from '../box-iou.js';
import { OptionError } from '../../util/errors.js';

/** numpy.linspace(start, stop, num), value for value. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : start + i * step));
}

/** COCOeval's IoU thresholds: linspace(0.5, 0.95, 10). */
export const COCO_IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
/** COCOeval's recall thresholds: linspace(0, 1, 101). */
export const COCO_RECALL_THRESHOLDS = linspace(0, 1, 101);

export interface DetectionPair {
  /** Case id (images are taken in the given order). */
  id: string;
  gt: BoxSet;
  /** Predictions with scores. */
  pred: BoxSet;
}

export interface CocoOptions {
  /** Number of classes (labels 0..numClasses−1). */
  numClasses: number;
  iouThresholds?: readonly number[];
  /** Detections kept per image and class, best first (COCOeval: 100). */
  maxDetections?: number;
}

/** One image and class, evaluated: its (kept) detections' scores and, per IoU threshold, which were matched. */
export interface ImageClassMatch {
  scores: Float64Array;
  /** matched[t][d]: detection d matched a ground-truth box at threshold t. */
  matched: Uint8Array[];
  /** The ground-truth box each detection matched at each threshold (−1: none). */
  matchedGt: Int32Array[];
  numGt: number;
}

function indicesOf(set: BoxSet, cls: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.labels.length; i++) if (set.labels[i] === cls) out.push(i);
  return out;
}

/** COCOeval.evaluateImg for one image and class (crowd-free, all areas). */
export function matchImageClass(
  gt: BoxSet,
  pred: BoxSet,
  cls: number,
  iouThresholds: readonly number[],
  maxDetections: number,
): ImageClassMatch {
  if (!pred.scores) throw new OptionError('predictions', 'need a score per box');
  const dims: BoxDims = gt.dims;
  const g = indicesOf(gt, cls);
  // stable sort by descending score (numpy mergesort of −score)
  const d = indicesOf(pred, cls)
    .map((i, order) => ({ i, order, s: pred.scores![i]! }))
    .sort((a, b) => b.s - a.s || a.order - b.order)
    .slice(0, maxDetections)
    .map((x) => x.i);
  const ious = d.map((di) => g.map((gi) => iouOf(pred.boxes, di, gt.boxes, gi, dims)));
  const matched = iouThresholds.map(() => new Uint8Array(d.length));
  const matchedGt = iouThresholds.map(() => new Int32Array(d.length).fill(-1));
  iouThresholds.forEach((t, ti) => {
    const gtTaken = new Uint8Array(g.length);
    for (let k = 0; k < d.length; k++) {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < g.length; j++) {
        if (gtTaken[j]) continue;
        if (ious[k]![j]! < best) continue;
        best = ious[k]![j]!;
        m = j;
      }
      if (m === -1) continue;
      gtTaken[m] = 1;
      matched[ti]![k] = 1;
      matchedGt[ti]![k] = g[m]!;
    }
  });
  return { scores: Float64Array.from(d, (i) => pred.scores![i]!), matched, matchedGt, numGt: g.length };
}

/**
 * COCOeval.accumulate for one class at one threshold: precision at the recall thresholds (−1 when
 * there is no ground truth), and the final recall. `weights` repeat images (bootstrap resampling);
 * ties between images then follow image order rather than the resample's order.
 */
export function precisionAtRecalls(
  perImage: readonly ImageClassMatch[],
  thresholdIndex: number,
  recallThresholds: readonly number[] = COCO_RECALL_THRESHOLDS,
  weights?: ArrayLike<number>,
): { precision: Float64Array; recall: number } {
  let numGt = 0;
  const entries: Array<{ s: number; tp: number; w: number }> = [];
  perImage.forEach((m, img) => {
    const w = weights ? weights[img]! : 1;
    if (w === 0) return;
    numGt += w * m.numGt;
    for (let k = 0; k < m.scores.length; k++) entries.push({ s: m.scores[k]!, tp: m.matched[thresholdIndex]![k]!, w });
  });
  const precision = new Float64Array(recallThresholds.length);
  if (numGt === 0) return { precision: precision.fill(-1), recall: -1 };
  // stable: equal scores keep image order, then detection order
  const order = entries.map((_, i) => i).sort((a, b) => entries[b]!.s - entries[a]!.s || a - b);
  const n = order.length;
  const rc = new Float64Array(n),
    pr = new Float64Array(n);
  let tp = 0,
    fp = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[order[i]!]!;
    if (e.tp) tp += e.w;
    else fp += e.w;
    rc[i] = tp / numGt;
    pr[i] = tp / (fp + tp + Number.EPSILON);
  }
  for (let i = n - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
  // np.searchsorted(rc, thresholds, side='left'): the first index with rc >= threshold
  let j = 0;
  for (let r = 0; r < recallThresholds.length; r++) {
    while (j < n && rc[j]! < recallThresholds[r]!) j++;
    precision[r] = j < n ? pr[j]! : 0;
  }
  return { precision, recall: n > 0 ? rc[n - 1]! : 0 };
}

export interface CocoResult {
  iouThresholds: number[];
  /** ap[c][t]: AP of class c at threshold t (NaN without ground truth). */
  ap: number[][];
  /** recall[c][t]: recall at maxDetections. */
  recall: number[][];
  /** Per class: mean AP over the thresholds. */
  apPerClass: number[];
  /** Mean over classes with ground truth, at each threshold. */
  meanApAt: number[];
  /** Mean over thresholds and classes (mAP@[.5:.95] with the default thresholds). */
  meanAp: number;
}

/** Per image and class matches, computed once (the expensive part; bootstrap reuses them). */
export function matchAll(pairs: readonly DetectionPair[], options: CocoOptions): ImageClassMatch[][] {
  const thresholds = options.iouThresholds ?? COCO_IOU_THRESHOLDS;
  const maxDet = options.maxDetections ?? 100;
  return Array.from({ length: options.numClasses }, (_, c) =>
    pairs.map((p) => matchImageClass(p.gt, p.pred, c, thresholds, maxDet)),
  );
}

const mean = (xs: number[]) => {
  const v = xs.filter((x) => !Number.isNaN(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

/** AP summary from precomputed matches (optionally with image weights). */
export function summarizeMatches(
  matches: readonly ImageClassMatch[][],
  iouThresholds: readonly number[],
  weights?: ArrayLike<number>,
): CocoResult {
  const ap: number[][] = [],
    recall: number[][] = [];
  for (const perImage of matches) {
    const row: number[] = [],
      rec: number[] = [];
    iouThresholds.forEach((_, t) => {
      const r = precisionAtRecalls(perImage, t, COCO_RECALL_THRESHOLDS, weights);
      row.push(r.precision[0] === -1 ? NaN : r.precision.reduce((a, b) => a + b, 0) / r.precision.length);
      rec.push(r.recall === -1 ? NaN : r.recall);
    });
    ap.push(row);
    recall.push(rec);
  }
  const apPerClass = ap.map(mean);
  const meanApAt = iouThresholds.map((_, t) => mean(ap.map((row) => row[t]!)));
  return { iouThresholds: [...iouThresholds], ap, recall, apPerClass, meanApAt, meanAp: mean(ap.flat()) };
}

/** COCO AP per class and threshold, and their means. */
export function cocoAveragePrecision(pairs: readonly DetectionPair[], options: CocoOptions): CocoResult {
  const thresholds = options.iouThresholds ?? COCO_IOU_THRESHOLDS;
  return summarizeMatches(matchAll(pairs, options), thresholds);
}

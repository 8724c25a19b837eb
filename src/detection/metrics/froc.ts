/**
 * FROC: lesion sensitivity against false positives per image (or scan), as the LUNA16 evaluation
 * script computes it. A prediction hits a lesion when (`hit`):
 *  - 'iou': its IoU with the lesion's box is at least `iouThreshold`;
 *  - 'centre_in_box': its centre lies inside the lesion's box;
 *  - 'centre_in_ellipsoid': its centre lies inside the ellipsoid inscribed in the lesion's box — for
 *    a LUNA16 nodule (a box made from centre and diameter) exactly "within the nodule's radius".
 * Each lesion keeps the highest score among the predictions that hit it; a prediction that hits a
 * lesion is never a false positive, so duplicate hits on one lesion count once and nowhere else;
 * every other prediction is a false positive. The operating points are (0, 0) and, for each distinct
 * score s from the highest down, (FP(≥ s) / images, TP(≥ s) / lesions) — sklearn's roc_curve as the
 * LUNA16 script uses it — and sensitivity at a rate is read by linear interpolation between them
 * (numpy.interp: at a rate shared by several points the highest sensitivity; past the last point the
 * last sensitivity). The CPM is the mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4 and 8 FP per image.
 * Predictions and lesions are matched within a class unless `classAgnostic`.
 */
import type { BoxSet } from '../boxes.js';
import { iouOf } from '../box-iou.js';
import { OptionError } from '../../util/errors.js';
import type { DetectionPair } from './coco.js';

export type HitCriterion = 'iou' | 'centre_in_box' | 'centre_in_ellipsoid';
export const FROC_RATES = [0.125, 0.25, 0.5, 1, 2, 4, 8] as const;

export interface FrocOptions {
  hit?: HitCriterion;
  /** For hit 'iou' (default 0.1). */
  iouThreshold?: number;
  /** Match predictions to lesions of any class (default false: per class, pooled over classes). */
  classAgnostic?: boolean;
  /** False-positive rates to report (default 1/8 … 8). */
  rates?: readonly number[];
}

export interface FrocResult {
  rates: number[];
  sensitivities: number[];
  /** Mean of `sensitivities` (the LUNA16 competition performance metric). */
  cpm: number;
  /** The operating points (FP per image, sensitivity, score threshold), best score first. */
  curve: Array<{ fpPerImage: number; sensitivity: number; threshold: number }>;
  lesions: number;
  images: number;
  /** Lesions hit by any prediction (the sensitivity reached at the lowest score). */
  detected: number;
}

function hits(gt: BoxSet, g: number, pred: BoxSet, p: number, o: Required<Omit<FrocOptions, 'rates'>>): boolean {
  const dims = gt.dims;
  if (!o.classAgnostic && gt.labels[g] !== pred.labels[p]) return false;
  if (o.hit === 'iou') return iouOf(gt.boxes, g, pred.boxes, p, dims) >= o.iouThreshold;
  let r2 = 0;
  for (let a = 0; a < dims; a++) {
    const lo = gt.boxes[g * 2 * dims + a]!,
      hi = gt.boxes[g * 2 * dims + dims + a]!;
    const c = (pred.boxes[p * 2 * dims + a]! + pred.boxes[p * 2 * dims + dims + a]!) / 2;
    if (o.hit === 'centre_in_box') {
      if (c < lo || c > hi) return false;
    } else {
      const half = (hi - lo) / 2;
      if (half <= 0) return false;
      r2 += ((c - (lo + hi) / 2) / half) ** 2;
    }
  }
  return o.hit === 'centre_in_box' || r2 < 1;
}

/** Per image: the best score of each lesion (NaN when missed) and the scores of the false positives. */
export function frocCandidates(
  pair: DetectionPair,
  options: FrocOptions = {},
): { lesionScores: Float64Array; falsePositives: number[] } {
  const o = {
    hit: options.hit ?? 'iou',
    iouThreshold: options.iouThreshold ?? 0.1,
    classAgnostic: options.classAgnostic ?? false,
  };
  if (!['iou', 'centre_in_box', 'centre_in_ellipsoid'].includes(o.hit))
    throw new OptionError('froc.hit', `expected iou, centre_in_box or centre_in_ellipsoid, got '${o.hit}'`);
  const { gt, pred } = pair;
  if (!pred.scores) throw new OptionError('predictions', 'need a score per box');
  const lesionScores = new Float64Array(gt.labels.length).fill(NaN);
  const falsePositives: number[] = [];
  for (let p = 0; p < pred.labels.length; p++) {
    const s = pred.scores[p]!;
    let hit = false;
    for (let g = 0; g < gt.labels.length; g++) {
      if (!hits(gt, g, pred, p, o)) continue;
      hit = true;
      if (!(lesionScores[g]! >= s)) lesionScores[g] = s;
    }
    if (!hit) falsePositives.push(s);
  }
  return { lesionScores, falsePositives };
}

/** numpy.interp(x, xp, fp) for increasing (possibly repeated) xp. */
export function interp(x: number, xp: readonly number[], fp: readonly number[]): number {
  if (x < xp[0]!) return fp[0]!;
  let j = 0;
  while (j + 1 < xp.length && xp[j + 1]! <= x) j++;
  if (j === xp.length - 1) return fp[j]!;
  return fp[j]! + ((fp[j + 1]! - fp[j]!) * (x - xp[j]!)) / (xp[j + 1]! - xp[j]!);
}

/** FROC from per-image candidates (optionally weighted images, for the bootstrap). */
export function frocFromCandidates(
  perImage: ReadonlyArray<{ lesionScores: Float64Array; falsePositives: number[] }>,
  rates: readonly number[] = FROC_RATES,
  weights?: ArrayLike<number>,
): FrocResult {
  let lesions = 0,
    images = 0,
    detected = 0;
  const events: Array<{ s: number; tp: number; fp: number }> = [];
  perImage.forEach((c, i) => {
    const w = weights ? weights[i]! : 1;
    images += w;
    lesions += w * c.lesionScores.length;
    for (const s of c.lesionScores) {
      if (Number.isNaN(s)) continue;
      detected += w;
      events.push({ s, tp: w, fp: 0 });
    }
    for (const s of c.falsePositives) events.push({ s, tp: 0, fp: w });
  });
  events.sort((a, b) => b.s - a.s);
  const curve: FrocResult['curve'] = [];
  const fps = [0],
    sens = [0];
  let tp = 0,
    fp = 0;
  for (let i = 0; i < events.length; i++) {
    tp += events[i]!.tp;
    fp += events[i]!.fp;
    if (i + 1 < events.length && events[i + 1]!.s === events[i]!.s) continue;
    const point = {
      fpPerImage: images ? fp / images : 0,
      sensitivity: lesions ? tp / lesions : NaN,
      threshold: events[i]!.s,
    };
    curve.push(point);
    fps.push(point.fpPerImage);
    sens.push(point.sensitivity);
  }
  const sensitivities = rates.map((r) => (lesions ? interp(r, fps, sens) : NaN));
  return {
    rates: [...rates],
    sensitivities,
    cpm: sensitivities.reduce((a, b) => a + b, 0) / sensitivities.length,
    curve,
    lesions,
    images,
    detected,
  };
}

/** FROC over images: sensitivity at 1/8 … 8 false positives per image and their mean (CPM). */
export function froc(pairs: readonly DetectionPair[], options: FrocOptions = {}): FrocResult {
  return frocFromCandidates(
    pairs.map((p) => frocCandidates(p, options)),
    options.rates ?? FROC_RATES,
  );
}

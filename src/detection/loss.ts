/**
 * The detection training loss, as torchvision computes it per image and averages over the batch:
 *  - RetinaNet: sigmoid focal loss (α 0.25, γ 2; src/losses/focal.ts) summed over the anchors that are
 *    not ignored, plus the box loss over the positive anchors ('l1' on the encoded offsets as
 *    torchvision's RetinaNet, 'smooth_l1' with β = 1/9, or 'giou' on the decoded boxes), each divided
 *    by max(1, positives) of the image.
 *  - FCOS: focal loss, GIoU loss on the decoded boxes and centre-ness BCE, each / max(1, positives)
 *    pooled over the batch (torchvision's FCOS).
 * Matching and target encoding run on plain arrays (cheap, and possible off the main thread).
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { FocalLoss } from '../losses/focal.js';
import { OptionError } from '../util/errors.js';
import type { LevelAnchors } from './anchors.js';
import { decodeBoxesTensor, encodeBoxes } from './box-coder.js';
import type { BoxDims, BoxSet } from './boxes.js';
import { generalizedIouLoss } from './giou-loss.js';
import type { HeadOutput } from './heads.js';
import { BACKGROUND, IGNORE, matchByAtss, matchByIou } from './matching.js';

export type BoxLossName = 'l1' | 'smooth_l1' | 'giou';
export type MatcherName = 'iou' | 'atss';

export interface LossOptions {
  kind: 'retinanet' | 'fcos';
  numClasses: number;
  matcher?: MatcherName;
  foregroundIou?: number;
  backgroundIou?: number;
  boxLoss?: BoxLossName;
  focalAlpha?: number;
  focalGamma?: number;
  /** FCOS centre sampling radius in strides (torchvision 1.5). */
  centreSampling?: number;
}

/** Per anchor: its ground-truth box index, BACKGROUND or IGNORE. */
export function matchAnchors(gt: BoxSet, anchors: LevelAnchors, options: LossOptions): Int32Array {
  const dims = gt.dims;
  if (options.kind === 'fcos') return matchFcos(gt, anchors, options.centreSampling ?? 1.5);
  if ((options.matcher ?? 'iou') === 'atss') return matchByAtss(gt.boxes, anchors, dims);
  return matchByIou(gt.boxes, anchors.boxes, dims, {
    foreground: options.foregroundIou ?? 0.5,
    background: options.backgroundIou ?? 0.4,
  });
}

/** torchvision FCOS: anchor points near the box centre, inside the box, within the level's size range; smallest box wins. */
function matchFcos(gt: BoxSet, anchors: LevelAnchors, radius: number): Int32Array {
  const dims = gt.dims,
    w = 2 * dims;
  const n = anchors.boxes.length / w,
    m = gt.labels.length;
  const out = new Int32Array(n).fill(BACKGROUND);
  const a = anchors.boxes,
    g = gt.boxes;
  const firstEnd = anchors.counts[0]!,
    lastStart = n - anchors.counts[anchors.counts.length - 1]!;
  for (let i = 0; i < n; i++) {
    const size = a[i * w + dims]! - a[i * w]!;
    const lower = i < firstEnd ? 0 : size * 4,
      upper = i >= lastStart ? Infinity : size * 8;
    let best = -1,
      bestVal = 0;
    for (let j = 0; j < m; j++) {
      let near = true,
        minD = Infinity,
        maxD = -Infinity,
        area = 1;
      for (let ax = 0; ax < dims; ax++) {
        const c = (a[i * w + ax]! + a[i * w + dims + ax]!) / 2;
        const lo = g[j * w + ax]!,
          hi = g[j * w + dims + ax]!;
        if (Math.abs(c - (lo + hi) / 2) >= radius * size) near = false;
        minD = Math.min(minD, c - lo, hi - c);
        maxD = Math.max(maxD, c - lo, hi - c);
        area *= hi - lo;
      }
      if (!near || minD <= 0 || !(maxD > lower && maxD < upper)) continue;
      const v = 1e8 - area;
      if (v > bestVal) {
        bestVal = v;
        best = j;
      }
    }
    if (bestVal >= 1e-5) out[i] = best;
  }
  return out;
}

/** FCOS's linear box coding: distances from the anchor centre to the box sides, in anchor sizes. */
function fcosEncode(
  box: ArrayLike<number>,
  bi: number,
  anchors: ArrayLike<number>,
  ai: number,
  dims: BoxDims,
  out: Float32Array,
  at: number,
) {
  const w = 2 * dims;
  for (let ax = 0; ax < dims; ax++) {
    const lo = anchors[ai * w + ax]!,
      hi = anchors[ai * w + dims + ax]!;
    const c = (lo + hi) / 2,
      size = hi - lo;
    out[at + ax] = (c - box[bi * w + ax]!) / size;
    out[at + dims + ax] = (box[bi * w + dims + ax]! - c) / size;
  }
}

export function fcosDecodeTensor(codes: Tensor, anchors: Tensor, dims: BoxDims): Tensor {
  return ve.tidy(() => {
    const lo = ve.slice(anchors, 1, 0, dims),
      hi = ve.slice(anchors, 1, dims, 2 * dims);
    const size = ve.sub(hi, lo),
      c = ve.mul(ve.add(lo, hi), 0.5);
    return ve.cat(
      [
        ve.sub(c, ve.mul(ve.slice(codes, 1, 0, dims), size)),
        ve.add(c, ve.mul(ve.slice(codes, 1, dims, 2 * dims), size)),
      ],
      1,
    );
  });
}

export interface BatchTargets {
  /** (N, A, K) 0/1 classification targets. */
  cls: Float32Array;
  /** (N, A) 1 where the anchor counts in the classification loss. */
  valid: Float32Array;
  /** Flat (image·A + anchor) index of each positive anchor. */
  positives: Int32Array;
  /** Encoded box target of each positive (RetinaNet offsets / FCOS distances). */
  boxTargets: Float32Array;
  /** The matched box of each positive, corners layout. */
  matchedBoxes: Float64Array;
  /** Image of each positive. */
  positiveImage: Int32Array;
  positivesPerImage: number[];
  /** FCOS centre-ness target of each positive. */
  centreness?: Float32Array;
}

/** Matches every image's boxes to the anchors and lays the targets out for the batch. */
export function buildTargets(gts: readonly BoxSet[], anchors: LevelAnchors, options: LossOptions): BatchTargets {
  const K = options.numClasses;
  const dims = (gts[0]?.dims ?? 2) as BoxDims;
  const w = 2 * dims;
  const A = anchors.boxes.length / w;
  const N = gts.length;
  const cls = new Float32Array(N * A * K),
    valid = new Float32Array(N * A).fill(1);
  const pos: number[] = [],
    img: number[] = [],
    which: number[] = [];
  const perImage: number[] = [];
  gts.forEach((gt, n) => {
    for (let i = 0; i < gt.labels.length; i++)
      if (!(gt.labels[i]! >= 0 && gt.labels[i]! < K))
        throw new OptionError('labels', `class ${gt.labels[i]} outside 0…${K - 1}`);
    const matched = matchAnchors(gt, anchors, options);
    let count = 0;
    for (let a = 0; a < A; a++) {
      const g = matched[a]!;
      if (g === IGNORE) valid[n * A + a] = 0;
      if (g < 0) continue;
      cls[(n * A + a) * K + gt.labels[g]!] = 1;
      pos.push(n * A + a);
      img.push(n);
      which.push(g);
      count++;
    }
    perImage.push(count);
  });
  const P = pos.length;
  const boxTargets = new Float32Array(P * w);
  const matchedBoxes = new Float64Array(P * w);
  const centreness = options.kind === 'fcos' ? new Float32Array(P) : undefined;
  const anchorRows = new Float64Array(P * w);
  for (let p = 0; p < P; p++) {
    const a = pos[p]! % A;
    const gt = gts[img[p]!]!;
    matchedBoxes.set(gt.boxes.subarray(which[p]! * w, which[p]! * w + w), p * w);
    anchorRows.set(anchors.boxes.subarray(a * w, a * w + w), p * w);
    if (options.kind === 'fcos') {
      fcosEncode(gt.boxes, which[p]!, anchors.boxes, a, dims, boxTargets, p * w);
      let c = 1;
      for (let ax = 0; ax < dims; ax++) {
        const l = boxTargets[p * w + ax]!,
          r = boxTargets[p * w + dims + ax]!;
        c *= Math.min(l, r) / Math.max(l, r);
      }
      centreness![p] = Math.sqrt(c);
    }
  }
  if (options.kind !== 'fcos') boxTargets.set(encodeBoxes(matchedBoxes, anchorRows, dims, P));
  return {
    cls,
    valid,
    positives: Int32Array.from(pos),
    boxTargets,
    matchedBoxes,
    positiveImage: Int32Array.from(img),
    positivesPerImage: perImage,
    ...(centreness ? { centreness } : {}),
  };
}

export interface LossParts {
  classification: Tensor;
  boxRegression: Tensor;
  centreness?: Tensor;
  total: Tensor;
}

/** The loss of a batch's head outputs against its targets. */
export function detectionLoss(
  out: HeadOutput,
  t: BatchTargets,
  anchors: LevelAnchors,
  options: LossOptions,
): LossParts {
  return ve.tidy(() => {
    const [N, A, K] = out.cls.shape as [number, number, number];
    const dims = (out.reg.shape[2]! / 2) as BoxDims;
    const device = out.cls.device;
    const focal = new FocalLoss({
      activation: 'sigmoid',
      alpha: options.focalAlpha ?? 0.25,
      gamma: options.focalGamma ?? 2,
      reduction: 'none',
    });
    const target = ve.Tensor.from(t.cls, [N, A, K], { device });
    // (N, A, K) → (N, K, A): the focal loss takes (N, C, ...)
    const perElement = focal.forward(out.cls.permute([0, 2, 1]), target.permute([0, 2, 1]));
    const perAnchor = ve.mul(perElement.sum({ dim: 1 }), ve.Tensor.from(t.valid, [N, A], { device }));
    const fcos = options.kind === 'fcos';
    // RetinaNet divides each image by its own positives; FCOS pools the batch
    const norm = fcos
      ? Array<number>(N).fill(Math.max(1, t.positives.length) / N)
      : t.positivesPerImage.map((p) => Math.max(1, p));
    const perImageWeight = ve.Tensor.from(
      Float32Array.from(norm, (v) => 1 / (v * N)),
      [N, 1],
      { device },
    );
    const classification = ve.mul(perAnchor, perImageWeight).sum();
    const P = t.positives.length;
    let boxRegression: Tensor = ve.zeros([], { device });
    let centreness: Tensor | undefined;
    if (P > 0) {
      const index = ve.Tensor.from(BigInt64Array.from(t.positives, BigInt), [P], { device });
      const pred = ve.indexSelect(out.reg.reshape([N * A, 2 * dims]), 0, index);
      const rowWeight = ve.Tensor.from(
        Float32Array.from(t.positiveImage, (n) => 1 / (norm[n]! * N)),
        [P],
        { device },
      );
      const anchorIdx = ve.Tensor.from(
        BigInt64Array.from(t.positives, (p) => BigInt(p % A)),
        [P],
        { device },
      );
      const anchorRows = () =>
        ve.indexSelect(ve.Tensor.from(anchors.boxes, [A, 2 * dims], { dtype: 'float32', device }), 0, anchorIdx);
      const name = fcos ? 'giou' : (options.boxLoss ?? 'l1');
      let perRow: Tensor;
      if (name === 'giou') {
        const decoded = fcos ? fcosDecodeTensor(pred, anchorRows(), dims) : decodeBoxesTensor(pred, anchorRows(), dims);
        perRow = generalizedIouLoss(
          decoded,
          ve.Tensor.from(t.matchedBoxes, [P, 2 * dims], { dtype: 'float32', device }),
          dims,
        );
      } else {
        const diff = ve.sub(pred, ve.Tensor.from(t.boxTargets, [P, 2 * dims], { device }));
        const beta = 1 / 9;
        perRow =
          name === 'l1'
            ? diff.abs().sum({ dim: 1 })
            : ve.where(diff.abs().lt(beta), diff.square().mul(0.5 / beta), diff.abs().sub(0.5 * beta)).sum({ dim: 1 });
      }
      boxRegression = ve.mul(perRow, rowWeight).sum();
      if (fcos && out.ctr) {
        const ctrPred = ve.indexSelect(out.ctr.reshape([N * A]), 0, index);
        const bce = ve.binaryCrossEntropyWithLogits(ctrPred, ve.Tensor.from(t.centreness!, [P], { device }), {
          reduction: 'none',
        });
        centreness = ve.mul(bce, rowWeight).sum();
      }
    }
    let total = ve.add(classification, boxRegression);
    if (centreness) total = ve.add(total, centreness);
    return { classification, boxRegression, ...(centreness ? { centreness } : {}), total };
  });
}

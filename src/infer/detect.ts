/**
 * Detection on a whole prepared image or volume: one pass when it fits in `window` (padded with zeros
 * at the far side up to the network's stride), else a sliding window (nnU-Net's tiling, windows.ts)
 * whose boxes are shifted back to image coordinates; optionally the mirrored copies along every
 * spatial axis (test-time augmentation), each un-mirrored. All passes' boxes are merged per class by
 * weighted box fusion ('wbf', views = passes covering a spot) or by NMS ('nms'), then the score
 * threshold and the `detectionsPerImage` best are kept.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import type { Detector } from '../detection/detector.js';
import { type BoxSet, clipBoxes, concatBoxSets, emptyBoxSet, selectBoxes } from '../detection/boxes.js';
import { flipBoxes } from '../detection/box-transforms.js';
import { nms, weightedBoxFusion } from '../detection/nms.js';
import { postprocessDetections } from '../detection/postprocess.js';
import { slidingWindows } from './windows.js';

export interface DetectOptions {
  /** Tensor-order window; null: the whole image in one pass. */
  window?: number[] | null;
  overlap?: number;
  mirror?: boolean;
  merge?: 'wbf' | 'nms';
  mergeIou?: number;
  scoreThreshold?: number;
  nmsThreshold?: number;
  detectionsPerImage?: number;
  /** Sizes are padded to a multiple of this (the network's total stride, default 32). */
  divisor?: number;
  device?: string;
}

function runPass(model: Detector, x: Tensor, o: DetectOptions): BoxSet {
  const size = x.shape.slice(2);
  const div = o.divisor ?? 32;
  const padded = size.map((s) => Math.ceil(s / div) * div);
  return ve.tidy(() => {
    const pads: number[] = [];
    for (let t = size.length - 1; t >= 0; t--) pads.push(0, padded[t]! - size[t]!);
    const input = pads.some((p) => p > 0) ? ve.pad(x, pads) : x;
    const out = ve.noGrad(() => model.forward(input));
    const anchors = model.anchorsFor(padded);
    const [set] = postprocessDetections(out, anchors, padded, {
      kind: model.kind,
      scoreThreshold: o.scoreThreshold,
      nmsThreshold: o.nmsThreshold,
      detectionsPerImage: o.detectionsPerImage,
    });
    return { ...set!, boxes: clipBoxes(set!.boxes, set!.dims, [...size].reverse()) };
  });
}

/** Detections on one prepared image (C, ...spatial), in its voxel coordinates. */
export function detectImage(model: Detector, image: Tensor, o: DetectOptions = {}): BoxSet {
  const dims = model.dims;
  const size = image.shape.slice(1);
  const device = o.device ?? 'cpu';
  const x = ve.tidy(() => image.unsqueeze(0).to({ device, dtype: 'float32' }));
  const flipSets: number[][] = [[]];
  if (o.mirror)
    for (let m = 1; m < 1 << dims; m++)
      flipSets.push(Array.from({ length: dims }, (_, a) => a).filter((a) => (m >> a) & 1));
  const window = o.window?.some((w, t) => w < size[t]!) ? o.window : null;
  const sets: BoxSet[] = [];
  // a box is down-weighted when fewer mirrored passes than these found it (overlapping windows are not counted:
  // a spot near the border lies in fewer of them)
  const views = flipSets.length;
  try {
    for (const axes of flipSets) {
      const flipped = axes.length
        ? ve.flip(
            x,
            axes.map((a) => a + 2),
          )
        : x;
      if (!window) {
        const found = runPass(model, flipped, o);
        sets.push({ ...found, boxes: axes.length ? flipBoxes(found.boxes, dims, size, axes) : found.boxes });
      } else {
        const win = window.map((w, t) => Math.min(w, size[t]!));
        const tiling = slidingWindows([...size].reverse(), [...win].reverse(), o.overlap ?? 0.5);
        for (const start of tiling.imageStarts) {
          const tStart = [...start].reverse();
          const crop = ve.tidy(() => tStart.reduce((t, s, a) => ve.narrow(t, a + 2, Math.max(0, s), win[a]!), flipped));
          const found = runPass(model, crop, o);
          crop.dispose();
          const shifted = Float64Array.from(found.boxes, (v, i) => v + Math.max(0, start[i % dims]!));
          sets.push({ ...found, boxes: axes.length ? flipBoxes(shifted, dims, size, axes) : shifted });
        }
      }
      if (flipped !== x) flipped.dispose();
    }
  } finally {
    x.dispose();
  }
  if (sets.length === 0) return emptyBoxSet(dims, true);
  const all = concatBoxSets(sets, dims);
  if (sets.length === 1) return all;
  const merged =
    (o.merge ?? 'wbf') === 'wbf'
      ? weightedBoxFusion(all, { iouThreshold: o.mergeIou ?? 0.55, views })
      : nms(all, o.mergeIou ?? o.nmsThreshold ?? 0.5);
  const keep: number[] = [];
  for (let i = 0; i < merged.labels.length; i++) if (merged.scores![i]! > (o.scoreThreshold ?? 0.05)) keep.push(i);
  const limit = o.detectionsPerImage ?? 300;
  const out = selectBoxes(merged, keep.slice(0, limit));
  return { ...out, boxes: clipBoxes(out.boxes, dims, [...size].reverse()) };
}

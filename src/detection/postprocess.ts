/**
 * From head outputs to boxes, as torchvision's RetinaNet / FCOS postprocess_detections: per image and
 * pyramid level, scores σ(logit) (FCOS: √(σ(logit)·σ(centre-ness))) above `scoreThreshold`, the
 * `topkCandidates` best of them, decoded against their anchors and clipped to the input; then
 * class-wise NMS over all levels and the `detectionsPerImage` best boxes.
 */
import * as ve from '../engine/index.js';
import type { LevelAnchors } from './anchors.js';
import { decodeBoxes } from './box-coder.js';
import { type BoxDims, type BoxSet, clipBoxes } from './boxes.js';
import type { HeadOutput } from './heads.js';
import { nms } from './nms.js';

export interface PostprocessOptions {
  scoreThreshold?: number;
  nmsThreshold?: number;
  detectionsPerImage?: number;
  topkCandidates?: number;
  /** 'fcos' decodes distances and multiplies in the centre-ness. */
  kind?: 'retinanet' | 'fcos';
}

/** Detections per image, in the input's voxel coordinates (corners layout, clipped to `inputSize`, tensor order). */
export function postprocessDetections(
  out: HeadOutput,
  anchors: LevelAnchors,
  inputSize: readonly number[],
  options: PostprocessOptions = {},
): BoxSet[] {
  const thr = options.scoreThreshold ?? 0.05;
  const topk = options.topkCandidates ?? 1000;
  const [N, A, K] = out.cls.shape as [number, number, number];
  const dims = (out.reg.shape[2]! / 2) as BoxDims;
  const w = 2 * dims;
  const fcos = options.kind === 'fcos';
  const scores = ve.tidy(() => {
    let s = ve.sigmoid(out.cls);
    if (fcos && out.ctr) s = ve.sqrt(ve.mul(s, ve.sigmoid(out.ctr)));
    return s.to({ device: 'cpu', dtype: 'float32' }).toArray() as Float32Array;
  });
  const reg = ve.tidy(() => out.reg.to({ device: 'cpu', dtype: 'float32' }).toArray() as Float32Array);
  const size = [...inputSize].reverse();
  const results: BoxSet[] = [];
  for (let n = 0; n < N; n++) {
    const boxes: number[] = [],
      labels: number[] = [],
      kept: number[] = [];
    let start = 0;
    for (const count of anchors.counts) {
      const cand: Array<[number, number]> = [];
      for (let a = start; a < start + count; a++)
        for (let k = 0; k < K; k++) {
          const s = scores[(n * A + a) * K + k]!;
          if (s > thr) cand.push([s, a * K + k]);
        }
      cand.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
      const chosen = cand.slice(0, topk);
      const codes = new Float32Array(chosen.length * w),
        rows = new Float64Array(chosen.length * w);
      chosen.forEach(([, idx], i) => {
        const a = Math.floor(idx / K);
        codes.set(reg.subarray((n * A + a) * w, (n * A + a) * w + w), i * w);
        rows.set(anchors.boxes.subarray(a * w, a * w + w), i * w);
      });
      const decoded = fcos
        ? decodeDistances(codes, rows, dims, chosen.length)
        : decodeBoxes(codes, rows, dims, chosen.length);
      boxes.push(...clipBoxes(decoded, dims, size));
      for (const [s, idx] of chosen) {
        kept.push(s);
        labels.push(idx % K);
      }
      start += count;
    }
    const set: BoxSet = {
      dims,
      boxes: Float64Array.from(boxes),
      labels: Int32Array.from(labels),
      scores: Float32Array.from(kept),
    };
    const after = nms(set, options.nmsThreshold ?? 0.5);
    const limit = options.detectionsPerImage ?? (fcos ? 100 : 300);
    results.push(
      after.labels.length > limit
        ? {
            dims,
            boxes: after.boxes.slice(0, limit * w),
            labels: after.labels.slice(0, limit),
            scores: after.scores!.slice(0, limit),
          }
        : after,
    );
  }
  return results;
}

function decodeDistances(codes: Float32Array, anchors: Float64Array, dims: BoxDims, count: number): Float64Array {
  const w = 2 * dims;
  const out = new Float64Array(count * w);
  for (let i = 0; i < count; i++)
    for (let a = 0; a < dims; a++) {
      const lo = anchors[i * w + a]!,
        hi = anchors[i * w + dims + a]!;
      const c = (lo + hi) / 2,
        s = hi - lo;
      out[i * w + a] = c - codes[i * w + a]! * s;
      out[i * w + dims + a] = c + codes[i * w + dims + a]! * s;
    }
  return out;
}

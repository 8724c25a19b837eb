/**
 * Occlusion sensitivity (Zeiler & Fergus 2014; MONAI's OcclusionSensitivity): a window of `window`
 * voxels per axis slides over the input with `stride`, replaced by `fill` (default: the input's mean);
 * each voxel's value is the mean, over the windows covering it, of the drop in the class's probability
 * (softmax, or sigmoid for multi-label) — positive where hiding the region lowers the class's score.
 */
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import type { AnyModule } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import { ones } from '../engine/creation.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';

export interface OcclusionOptions {
  /** Window size per axis (a number for all; default 1/4 of each edge, at least 1). */
  window?: number | number[];
  /** Default: half the window. */
  stride?: number | number[];
  fill?: number;
  classIndex?: number;
  /** Occluded inputs per forward pass (default 16). */
  batchSize?: number;
  multiLabel?: boolean;
}

export interface OcclusionResult {
  map: Float32Array;
  shape: number[];
  classIndex: number;
  /** The class probability of the unoccluded input. */
  probability: number;
}

const perAxis = (v: number | number[] | undefined, size: number[], fallback: (n: number) => number) =>
  size.map((n, a) =>
    Math.max(1, Math.min(n, Math.round(v === undefined ? fallback(n) : typeof v === 'number' ? v : (v[a] ?? 1)))),
  );

/**
 * Occlusion sensitivity map of one input (1, C, ...spatial) for a class.
 * @returns the map at the input's size, the class and its unoccluded probability
 */
export function occlusionSensitivity(model: AnyModule, input: Tensor, o: OcclusionOptions = {}): OcclusionResult {
  if (input.shape[0] !== 1) throw new ShapeError(`explain one input at a time, got a batch of ${input.shape[0]}`);
  const size = input.shape.slice(2);
  const window = perAxis(o.window, size, (n) => n / 4);
  const stride = perAxis(o.stride, size, () => 0).map((s, a) =>
    o.stride === undefined ? Math.max(1, Math.floor(window[a]! / 2)) : s,
  );
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const prob = (x: Tensor) => {
          const logits = model.forward(x) as Tensor;
          return o.multiLabel ? ve.sigmoid(logits) : ve.softmax(logits, 1);
        };
        const base = prob(input);
        const k = base.shape[1]!;
        const classIndex = o.classIndex ?? (ve.argmax(base, { dim: 1 }).item() as number);
        if (!(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < k))
          throw new OptionError('class', `must be a class index in 0..${k - 1}, got ${classIndex}`);
        const p0 = base.select(1, classIndex).item();
        const fill = o.fill ?? input.mean().item();
        const starts = size.map((n, a) => {
          const out: number[] = [];
          for (let s = 0; ; s += stride[a]!) {
            out.push(Math.min(s, n - window[a]!));
            if (s + window[a]! >= n) break;
          }
          return [...new Set(out)];
        });
        const boxes: number[][] = [[]];
        for (const list of starts) boxes.splice(0, boxes.length, ...boxes.flatMap((b) => list.map((s) => [...b, s])));
        const total = size.reduce((a, b) => a * b, 1);
        const sum = new Float64Array(total);
        const count = new Float64Array(total);
        const batch = o.batchSize ?? 16;
        for (let at = 0; at < boxes.length; at += batch) {
          const chunk = boxes.slice(at, at + batch);
          const drops = tidy(() => {
            const occluded = chunk.map((box) => {
              const mask = ones([1, 1, ...size]);
              let region = mask;
              box.forEach((s, a) => {
                region = region.narrow(a + 2, s, window[a]!);
              });
              region.zero_();
              return ve.add(ve.mul(input, mask), ve.mul(ve.sub(1, mask), fill));
            });
            return prob(ve.cat(occluded, 0)).select(1, classIndex).toArray() as Float32Array;
          });
          chunk.forEach((box, b) => {
            const drop = p0 - drops[b]!;
            visit(box, window, size, (v) => {
              sum[v]! += drop;
              count[v]! += 1;
            });
          });
        }
        const map = Float32Array.from(sum, (s, v) => (count[v]! > 0 ? s / count[v]! : 0));
        return { map, shape: size, classIndex, probability: p0 };
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/** Calls fn with the flat (C-order) index of every voxel of the box [start, start + window). */
function visit(start: number[], window: number[], size: number[], fn: (v: number) => void): void {
  const n = size.length;
  const idx = [...start];
  for (;;) {
    let flat = 0;
    for (let a = 0; a < n; a++) flat = flat * size[a]! + idx[a]!;
    fn(flat);
    let a = n - 1;
    while (a >= 0) {
      idx[a]!++;
      if (idx[a]! < start[a]! + window[a]!) break;
      idx[a] = start[a]!;
      a--;
    }
    if (a < 0) return;
  }
}

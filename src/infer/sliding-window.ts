/**
 * Sliding-window inference over a whole preprocessed image (nnU-Net's predict_sliding_window_return_logits):
 * windows from windows.ts (step patch·(1−overlap), spread evenly, the image padded up to the patch),
 * batched through the model, softmax per window, optional mirroring test-time augmentation (the mean
 * over every combination of the flipped axes), Gaussian-weighted averaging where windows overlap.
 *
 * Tensor order throughout ([1, C, (D,) H, W]); windows.ts works in image order (W fastest), so the
 * spatial lists are reversed when talking to it.
 */
import { noGrad } from '../engine/autograd.js';
import { keep, tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';
import { WindowAccumulator } from './windows.js';

export interface SlidingWindowOptions {
  /** Window size, tensor order, spatial axes only. */
  patchSize: number[];
  overlap?: number;
  gaussian?: boolean;
  /** Windows per forward pass (default 1). */
  batchSize?: number;
  /** true: flip every spatial axis; a list: those spatial tensor axes (0 = first spatial axis); all combinations. */
  mirror?: boolean | number[];
  device?: string;
}

/** Anything callable like a segmentation network; deep-supervision lists are reduced to their first output. */
export interface WindowModel {
  forward(x: Tensor): Tensor | Tensor[];
}

/** Every subset of `axes` (the empty one first). */
function flipCombinations(axes: number[]): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << axes.length; m++) out.push(axes.filter((_, i) => (m >> i) & 1));
  return out;
}

export async function slidingWindowInference(model: WindowModel, input: Tensor, options: SlidingWindowOptions): Promise<Tensor> {
  const spatial = input.shape.slice(2);
  const dims = spatial.length;
  if (input.shape.length < 4 || input.shape[0] !== 1) throw new ShapeError(`sliding window: input must be [1, C, (D,) H, W], got [${input.shape.join(', ')}]`);
  const patch = options.patchSize;
  if (patch.length !== dims) throw new OptionError('patchSize', `has ${patch.length} axes, the input has ${dims} spatial axes`);
  const batchSize = options.batchSize ?? 1;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new OptionError('batchSize', `must be a positive integer, got ${batchSize}`);
  const mirrorAxes = options.mirror === true ? spatial.map((_, a) => a) : Array.isArray(options.mirror) ? options.mirror : [];
  for (const a of mirrorAxes) if (!(Number.isInteger(a) && a >= 0 && a < dims)) throw new OptionError('mirror', `axis ${a} is not a spatial axis (0..${dims - 1})`);
  const flips = flipCombinations(mirrorAxes).map((axes) => axes.map((a) => a + 2));
  const device = options.device ?? input.device;
  const imageOrder = [...spatial].reverse();
  const patchImageOrder = [...patch].reverse();
  let accumulator: WindowAccumulator | null = null;
  let classes = 0;
  // pad the input up to the patch where it is smaller (windows.ts pads half before, the rest after)
  const padded = keep(noGrad(() => tidy(() => {
    const x = input.device === device ? input : input.to(device);
    const pads: number[] = [];
    for (let d = dims - 1; d >= 0; d--) {
      const extra = Math.max(0, patch[d]! - spatial[d]!);
      pads.push(Math.floor(extra / 2), extra - Math.floor(extra / 2));
    }
    return pads.some((p) => p > 0) ? ve.pad(x, pads) : x.clone();
  })));
  try {
    const first = new WindowAccumulator(imageOrder, patchImageOrder, 1, { overlap: options.overlap ?? 0.5 });
    const windows = first.tiling.windows; // start corners in the padded grid, image order
    for (let b = 0; b < windows.length; b += batchSize) {
      const group = windows.slice(b, b + batchSize);
      const probs = noGrad(() => tidy(() => {
        const crops = group.map((w) => {
          let t = padded;
          const start = [...w].reverse();
          for (let d = 0; d < dims; d++) t = t.narrow(d + 2, start[d]!, patch[d]!);
          return t;
        });
        const x = crops.length === 1 ? crops[0]!.contiguous() : ve.cat(crops, 0);
        let sum: Tensor | null = null;
        for (const axes of flips) {
          const xin = axes.length ? x.flip(axes) : x;
          const out = model.forward(xin);
          const logits = Array.isArray(out) ? out[0]! : out;
          let p = ve.softmax(logits, 1);
          if (axes.length) p = p.flip(axes);
          sum = sum === null ? p : sum.add(p);
        }
        return (flips.length > 1 ? sum!.div(flips.length) : sum!).to('cpu').to('float32').contiguous().toArray() as Float32Array;
      }));
      const perWindow = probs.length / group.length;
      if (accumulator === null) {
        classes = perWindow / patch.reduce((a, c) => a * c, 1);
        accumulator = new WindowAccumulator(imageOrder, patchImageOrder, classes, { overlap: options.overlap ?? 0.5, gaussian: options.gaussian ?? true });
      }
      group.forEach((_, i) => accumulator!.add(accumulator!.tiling.imageStarts[b + i]!, probs.subarray(i * perWindow, (i + 1) * perWindow)));
      // let timers and I/O run between batches (progress bars, loader messages)
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return Tensor.from(accumulator!.result(), [1, classes, ...spatial], { device: input.device });
  } finally {
    padded.dispose();
  }
}

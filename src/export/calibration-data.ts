/**
 * Calibration windows: the calibration images preprocessed with the run's plan (exactly as prediction
 * preprocesses them) and cut into the network's patches on the sliding-window grid; at most
 * `windowsPerImage` evenly spaced windows of each image (slices of a 2D plan's volumes are spread
 * the same way). The same images give the same windows in the same order.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { networkInputs, type PredictionInput, type PredictionRun, readCase } from '../infer/predict.js';
import { slidingWindows } from '../infer/windows.js';
import { OptionError } from '../util/errors.js';

export interface CalibrationWindowOptions {
  /** Windows taken from each image (default 16). */
  windowsPerImage?: number;
  /** Overlap of the window grid they are taken from (default 0.5, prediction's). */
  overlap?: number;
}

/** `count` indices spread evenly over 0..total−1 (all of them when count ≥ total). */
export function evenlySpaced(total: number, count: number): number[] {
  if (count >= total) return [...Array(total).keys()];
  if (count === 1) return [Math.floor((total - 1) / 2)];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

/** Yields each calibration window [1, C, ...patch] (the caller disposes each). */
export async function* calibrationWindows(
  run: PredictionRun,
  inputs: readonly PredictionInput[],
  options: CalibrationWindowOptions = {},
): AsyncGenerator<Tensor> {
  if (inputs.length === 0) throw new OptionError('calibration', 'no calibration images (give at least one)');
  const perImage = options.windowsPerImage ?? 16;
  if (!Number.isInteger(perImage) || perImage < 1)
    throw new OptionError('windowsPerImage', `must be a positive integer, got ${perImage}`);
  for (const input of inputs) {
    const { first, channels } = await readCase(input, [run]);
    const { patch, inputs: tensors } = networkInputs(run, input.id, first, channels);
    const all = [...tensors()];
    try {
      const slices = evenlySpaced(all.length, perImage);
      const perSlice = Math.max(1, Math.ceil(perImage / slices.length));
      for (const s of slices) {
        const x = all[s]!.tensor;
        const spatial = x.shape.slice(2);
        const tiling = slidingWindows([...spatial].reverse(), [...patch].reverse(), options.overlap ?? 0.5);
        const padded = [...tiling.paddedShape].reverse();
        const before = [...tiling.padBefore].reverse();
        const source = ve.tidy(() => {
          if (padded.every((p, d) => p === spatial[d])) return x.clone();
          const pads: number[] = [];
          for (let d = spatial.length - 1; d >= 0; d--) pads.push(before[d]!, padded[d]! - spatial[d]! - before[d]!);
          return ve.pad(x, pads, 'constant', 0);
        });
        try {
          for (const w of evenlySpaced(tiling.windows.length, perSlice)) {
            const start = [...tiling.windows[w]!].reverse();
            yield ve.tidy(() => {
              let crop = source;
              start.forEach((s0, d) => {
                crop = crop.narrow(d + 2, s0, patch[d]!);
              });
              return crop.contiguous();
            });
          }
        } finally {
          source.dispose();
        }
      }
    } finally {
      for (const t of all) t.tensor.dispose();
    }
  }
}

/**
 * Sliding-window inference over a whole preprocessed image, as nnU-Net does it: the image is padded
 * up to the patch where it is smaller (zeros, half before), tiled with windows overlapping by
 * `overlap` (windows.ts), windows go through the model in batches under noGrad in eval mode, each
 * window's softmax probabilities are weighted by the Gaussian importance map and summed into one
 * preallocated accumulator, and the sum is divided by the summed weights. Mirroring test-time
 * augmentation runs every flip combination of the chosen axes (flip the input, run, flip the output
 * back) and averages the probabilities.
 *
 * Axes: `patchSize` and `mirror` are in tensor order (D, H, W / H, W), spatial only; windows.ts works in
 * image order (i, j, k), which is the reverse.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';
import { gaussianImportanceMap, slidingWindows } from './windows.js';

/**
 * Anything callable like a segmentation network (a Module): deep-supervision lists are reduced to
 * their first output. When it has train(), it runs in eval mode and its mode is restored afterwards.
 */
export interface WindowModel {
  /** Logits [B, K, ...window] for a batch of windows (or a list whose first entry is that). */
  forward(x: Tensor): Tensor | Tensor[];
  /** A runtime that answers asynchronously (ONNX Runtime): used instead of forward when present. */
  forwardAsync?(x: Tensor): Promise<Tensor>;
  /** Whether the model is in training mode (restored after inference). */
  training?: boolean;
  /** Sets training mode (a Module's `train`). */
  train?(mode?: boolean): unknown;
  /** Frees what the model holds outside the JS heap (a Module's native tensors). */
  dispose?(): void;
  /**
   * Windows per forward pass this runtime runs fastest with, when the caller asks for none (instead of
   * defaultWindowBatch, which is tuned for the engine's float networks).
   */
  readonly preferredWindowBatch?: number;
}

export interface SlidingWindowOptions {
  /** Window size per spatial axis, tensor order ([D,] H, W). */
  patchSize: readonly number[];
  /** Fraction of a window shared with its neighbour (default 0.5, nnU-Net's step 0.5). */
  overlap?: number;
  /** Gaussian importance weighting (σ = patch/8, default true); false weights every voxel equally. */
  gaussian?: boolean;
  /** Windows per forward pass (default 1). */
  batchSize?: number;
  /** true: flip every spatial axis; an array: these spatial axes (0 = first spatial axis, tensor order); all 2^n combinations are averaged. */
  mirror?: boolean | readonly number[];
  /** Where the model runs and probabilities accumulate (default: the input's device). */
  device?: string;
  /** Called after each batch with (windows done, windows total) — for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Windows per forward pass when none is asked for (and the model states no preferredWindowBatch): on the CPU
 * small 2D windows run about twice as fast eight at a time (libtorch re-lays out every convolution's weights
 * for oneDNN on each call, which a batch shares: DRIVE, 96² windows, 3.99 s instead of 7.65 s per image); 3D
 * windows and 2D ones over 256² go one at a time, as in nnU-Net, to bound memory. The batch changes no window's
 * result beyond float rounding.
 */
export function defaultWindowBatch(patchSize: readonly number[]): number {
  const voxels = patchSize.reduce((a, b) => a * b, 1);
  return patchSize.length === 2 && voxels <= 256 * 256 ? 8 : 1;
}

/** Every subset of `axes` (the empty one first): the flips mirroring TTA runs. */
export function mirrorCombinations(axes: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << axes.length; mask++) out.push(axes.filter((_, b) => (mask >> b) & 1));
  return out;
}

function mirrorAxes(mirror: SlidingWindowOptions['mirror'], spatialDims: number): number[] {
  if (mirror === undefined || mirror === false) return [];
  if (mirror === true) return [...Array(spatialDims).keys()];
  for (const a of mirror) {
    if (!Number.isInteger(a) || a < 0 || a >= spatialDims)
      throw new OptionError('mirror', `axes must be spatial axes 0..${spatialDims - 1}, got [${mirror.join(', ')}]`);
  }
  return [...new Set(mirror)].sort((a, b) => a - b);
}

function firstOutput(out: unknown): Tensor {
  const t = Array.isArray(out) ? out[0] : out;
  if (!(t instanceof ve.Tensor)) throw new ShapeError('the model returned neither a tensor nor an array of tensors');
  return t;
}

/** The model's logits for `x` flipped along `axes` (not flipped back), on the caller's account. */
async function logitsOf(model: WindowModel, x: Tensor, axes: number[]): Promise<Tensor> {
  if (model.forwardAsync) {
    const xi = axes.length ? ve.noGrad(() => ve.flip(x, axes)) : x;
    try {
      return await model.forwardAsync(xi);
    } finally {
      if (xi !== x) xi.dispose();
    }
  }
  return ve.noGrad(() => ve.tidy(() => firstOutput(model.forward(axes.length ? ve.flip(x, axes) : x))));
}

/**
 * Softmax probabilities [1, K, ...spatial] for a preprocessed input [1, C, ...spatial]. The model's
 * output may be a tensor or an array (deep supervision: the first, full-resolution one is used).
 * The model's training mode is restored afterwards (the trainer validates with this mid-training).
 *
 * @param model a network (`UNet` ...) or anything with `forward`
 * @param input a preprocessed image [1, C, (D,) H, W]
 * @param options `patchSize` (tensor order), `overlap`, `gaussian`, `mirror`, `batchSize`, `device`
 * @returns softmax probabilities [1, K, (D,) H, W], summing to 1 per voxel
 * @throws ShapeError for an input that is not [1, C, ...] with 2 or 3 spatial axes; OptionError naming
 *   `patch_size`, `overlap` or `mirror` for a bad option
 *
 * @example
 * ```ts
 * const options = { patchSize: [128, 128], overlap: 0.5, mirror: true };
 * const probabilities = await slidingWindowInference(net, image, options);
 * const labels = probabilities.argmax(1);
 * ```
 */
export async function slidingWindowInference(
  model: WindowModel,
  input: Tensor,
  options: SlidingWindowOptions,
): Promise<Tensor> {
  const spatial = input.shape.slice(2);
  const dims = spatial.length;
  if (input.ndim < 4 || input.ndim > 5 || input.shape[0] !== 1)
    throw new ShapeError(`sliding-window input must be [1, C, (D,) H, W], got [${input.shape.join(', ')}]`);
  const patch = [...options.patchSize];
  if (patch.length !== dims)
    throw new OptionError('patch_size', `has ${patch.length} axes but the input has ${dims} spatial axes`);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new OptionError('batch_size', `must be a positive integer, got ${batchSize}`);
  const flips = mirrorCombinations(mirrorAxes(options.mirror, dims)).map((axes) => axes.map((a) => a + 2));
  const device = options.device ?? input.device;

  // windows.ts speaks image order (i fastest): reverse the tensor-order lists.
  const tiling = slidingWindows([...spatial].reverse(), [...patch].reverse(), options.overlap ?? 0.5);
  const padded = [...tiling.paddedShape].reverse();
  const padBefore = [...tiling.padBefore].reverse();
  const starts = tiling.windows.map((w) => [...w].reverse());

  const wasTraining = model.training ?? false;
  model.train?.(false);
  let source: Tensor | undefined;
  let gaussian: Tensor | undefined;
  let sums: Tensor | undefined;
  let weights: Tensor | undefined;
  try {
    source = ve.noGrad(() =>
      ve.tidy(() => {
        const onDevice = input.device === device ? input : input.to(device);
        const needsPad = padded.some((p, d) => p !== spatial[d]);
        if (!needsPad) return onDevice === input ? input : onDevice;
        // F.pad lists the last axis first: (W before, W after, H before, H after, ...)
        const pads: number[] = [];
        for (let d = dims - 1; d >= 0; d--) pads.push(padBefore[d]!, padded[d]! - spatial[d]! - padBefore[d]!);
        return ve.pad(onDevice, pads, 'constant', 0);
      }),
    );
    const importance =
      options.gaussian === false
        ? new Float32Array(patch.reduce((a, b) => a * b, 1)).fill(1)
        : gaussianImportanceMap([...patch].reverse());
    gaussian = ve.tidy(() => ve.keep(ve.Tensor.from(importance, [1, 1, ...patch]).to(device)));
    let classes = 0;
    const total = starts.length;
    for (let b0 = 0; b0 < total; b0 += batchSize) {
      const batch = starts.slice(b0, b0 + batchSize);
      const x = ve.noGrad(() =>
        ve.tidy(() => {
          const crops = batch.map((s) => {
            let c = source!;
            for (let d = 0; d < dims; d++) c = c.narrow(d + 2, s[d]!, patch[d]!);
            return c;
          });
          return crops.length === 1 ? crops[0]!.contiguous() : ve.cat(crops, 0);
        }),
      );
      let probs: Tensor | undefined;
      try {
        for (const axes of flips) {
          // each flip's temporaries go at once: only the running sum outlives its pass
          const logits = await logitsOf(model, x, axes);
          const p = ve.noGrad(() => ve.tidy(() => ve.softmax(axes.length ? ve.flip(logits, axes) : logits, 1)));
          logits.dispose();
          if (probs === undefined) probs = p;
          else {
            probs.add_(p);
            p.dispose();
          }
        }
        ve.noGrad(() =>
          ve.tidy(() => {
            if (flips.length > 1) probs!.div_(flips.length);
            probs!.mul_(gaussian!);
            if (sums === undefined) {
              classes = probs!.shape[1]!;
              sums = ve.keep(ve.zeros([1, classes, ...padded], { device }));
              weights = ve.keep(ve.zeros([1, 1, ...padded], { device }));
            }
            batch.forEach((s, n) => {
              let target = sums!;
              let weight = weights!;
              for (let d = 0; d < dims; d++) {
                target = target.narrow(d + 2, s[d]!, patch[d]!);
                weight = weight.narrow(d + 2, s[d]!, patch[d]!);
              }
              target.add_(probs!.narrow(0, n, 1));
              weight.add_(gaussian!);
            });
          }),
        );
      } finally {
        x.dispose();
        probs?.dispose();
      }
      options.onProgress?.(Math.min(b0 + batchSize, total), total);
      // let the event loop breathe between batches (progress output, signals)
      await new Promise<void>((r) => setImmediate(r));
    }
    return ve.noGrad(() =>
      ve.tidy(() => {
        let out = sums!.div_(weights!);
        for (let d = 0; d < dims; d++) out = out.narrow(d + 2, padBefore[d]!, spatial[d]!);
        return out.contiguous();
      }),
    );
  } finally {
    model.train?.(wasTraining);
    if (source !== undefined && source !== input) source.dispose();
    gaussian?.dispose();
    weights?.dispose();
    sums?.dispose();
  }
}

/**
 * Deep supervision (nnU-Net): a loss on every decoder output, weighted 1/2^i from the full
 * resolution (i = 0) down, the lowest-resolution output weighted 0, the weights normalised to sum 1.
 *
 * Targets are brought to each output's size the way nnU-Net does it: nearest-neighbour ('nearest-exact',
 * batchgeneratorsv2's DownsampleSegForDSTransform) on the label map. For dense one-hot targets
 * `oneHotDownsampling: 'maxpool'` instead keeps a class present wherever any covered voxel had it
 * (nnU-Net itself uses nearest for these too, which is the default). Down-sampled targets can also be
 * passed in ready-made (one per output), e.g. prepared by the data loader.
 */
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';
import type { SegmentationLoss } from './loss.js';

/** nnU-Net's deep-supervision weights for n outputs (full resolution first). */
export function deepSupervisionWeights(n: number): number[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new OptionError('outputs', `need at least one output, got ${n}`);
  if (n === 1) return [1];
  const raw = Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : 1 / 2 ** i));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

export type OneHotDownsampling = 'nearest' | 'maxpool';

/**
 * The target at the spatial size `size`. Label maps (N, 1, ...) and, by default, dense targets are
 * sampled nearest-exact (the result is float, which the losses accept); 'maxpool' max-pools dense
 * targets by the integer size ratio.
 */
export function downsampleTarget(
  target: Tensor,
  size: readonly number[],
  denseMode: OneHotDownsampling = 'nearest',
): Tensor {
  const from = target.shape.slice(2);
  if (size.length !== from.length)
    throw new ShapeError(`deep supervision: output has ${size.length} spatial axes, target ${from.length}`);
  if (size.every((s, i) => s === from[i])) return target;
  return noGrad(() =>
    tidy(() => {
      const asFloat = target.dtype === 'float32' || target.dtype === 'float64' ? target : target.to('float32');
      if (denseMode === 'maxpool' && target.shape[1]! > 1) {
        const ratio = from.map((f, i) => f / size[i]!);
        if (!ratio.every((r) => Number.isInteger(r))) {
          throw new ShapeError(
            `deep supervision: max-pooling needs integer size ratios, target [${from.join(', ')}] → [${size.join(', ')}]`,
          );
        }
        return size.length === 2 ? ve.maxPool2d(asFloat, ratio) : ve.maxPool3d(asFloat, ratio);
      }
      return ve.interpolate(asFloat, { size: [...size], mode: 'nearest-exact' });
    }),
  );
}

export interface DeepSupervisionOptions {
  /** weights per output, full resolution first; default deepSupervisionWeights(outputs.length) */
  weights?: number[] | null;
  /** how dense (one-hot) targets are down-sampled; label maps always nearest */
  oneHotDownsampling?: OneHotDownsampling;
}

/** Wraps a loss so that it takes the list of outputs of a deep-supervised network. */
export class DeepSupervisionLoss {
  readonly weights: number[] | null;
  readonly oneHotDownsampling: OneHotDownsampling;

  /**
   * @param loss the loss applied to each output
   * @param options `weights` (default nnU-Net's 1/2^i, lowest resolution 0, normalised) and how one-hot
   *   targets are down-sampled
   * @throws OptionError for negative or non-finite weights
   */
  constructor(
    readonly loss: SegmentationLoss,
    options: DeepSupervisionOptions = {},
  ) {
    this.weights = options.weights ?? null;
    if (this.weights !== null && !this.weights.every((w) => Number.isFinite(w) && w >= 0)) {
      throw new OptionError('weights', `must be finite numbers >= 0, got ${JSON.stringify(this.weights)}`);
    }
    this.oneHotDownsampling = options.oneHotDownsampling ?? 'nearest';
    if (this.oneHotDownsampling !== 'nearest' && this.oneHotDownsampling !== 'maxpool') {
      throw new OptionError(
        'oneHotDownsampling',
        `expected nearest or maxpool, got ${String(this.oneHotDownsampling)}`,
      );
    }
  }

  /**
   * outputs: full resolution first (a single tensor is treated as a list of one). target: the
   * full-resolution target, or one target per output. Outputs weighted 0 are not evaluated.
   */
  forward(outputs: Tensor | readonly Tensor[], target: Tensor | readonly Tensor[]): Tensor {
    const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
    const weights = this.weights ?? deepSupervisionWeights(outs.length);
    if (weights.length !== outs.length)
      throw new ShapeError(`deep supervision: ${weights.length} weights for ${outs.length} outputs`);
    const targets = Array.isArray(target) ? (target as readonly Tensor[]) : null;
    if (targets !== null && targets.length !== outs.length)
      throw new ShapeError(`deep supervision: ${targets.length} targets for ${outs.length} outputs`);
    return tidy(() => {
      let total: Tensor | null = null;
      outs.forEach((out, i) => {
        if (weights[i] === 0) return;
        const t =
          targets !== null
            ? targets[i]!
            : downsampleTarget(target as Tensor, out.shape.slice(2), this.oneHotDownsampling);
        const term = this.loss.forward(out, t).mul(weights[i]!);
        total = total === null ? term : total.add(term);
      });
      if (total === null) throw new OptionError('weights', 'every deep-supervision weight is 0');
      return total;
    });
  }
}

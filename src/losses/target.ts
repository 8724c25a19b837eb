/**
 * What every segmentation loss does first: check that logits and target fit, turn the target into a
 * dense per-class map shaped like the logits, and mark the voxels an ignore label takes out.
 *
 * Targets come in two forms, told apart by their channel count (never by dtype, because nnU-Net and
 * the deep-supervision down-sampling carry label maps as floats):
 *  - a label map (N, 1, ...) of class indices, when the logits have C > 1 channels;
 *  - a dense target (N, C, ...) shaped like the logits: one-hot, soft probabilities or, for sigmoid
 *    outputs, independent binary channels. With C = 1 the two forms coincide: a binary mask.
 */
import { arange } from '../engine/creation.js';
import { isFloating } from '../engine/dtype.js';
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError } from '../util/errors.js';

export type Activation = 'softmax' | 'sigmoid';

export interface PreparedTarget {
  /** float (N, C, ...) in the logits' dtype; zero at ignored voxels */
  dense: Tensor;
  /** float (N, 1, ...): 1 where the voxel counts, 0 where it holds the ignore label; null without one */
  mask: Tensor | null;
  /** true when the target was a label map (N, 1, ...) of class indices */
  isLabelMap: boolean;
}

/** Throws a ShapeError unless logits (N, C, ...) and target (N, 1 | C, ...) fit together. */
export function checkShapes(logits: Tensor, target: Tensor, who: string): void {
  const ls = logits.shape,
    ts = target.shape;
  if (ls.length < 3) throw new ShapeError(`${who}: logits must be (N, C, spatial...), got shape [${ls.join(', ')}]`);
  if (!isFloating(logits.dtype)) throw new ShapeError(`${who}: logits must be floating point, got ${logits.dtype}`);
  const fits =
    ts.length === ls.length &&
    ts[0] === ls[0] &&
    (ts[1] === 1 || ts[1] === ls[1]) &&
    ts.slice(2).every((d, i) => d === ls[i + 2]);
  if (!fits) {
    throw new ShapeError(
      `${who}: target shape [${ts.join(', ')}] does not fit logits [${ls.join(', ')}]; expected a label map [${[ls[0], 1, ...ls.slice(2)].join(', ')}] or a dense target shaped like the logits`,
    );
  }
}

/** Class indices 0..C-1 shaped (1, C, 1, ...) to compare a label map against (call inside tidy). */
function classIndices(logits: Tensor): Tensor {
  const c = logits.shape[1]!;
  const shape = [1, c, ...logits.shape.slice(2).map(() => 1)];
  return arange(c, undefined, 1, { dtype: 'float32', device: logits.device }).reshape(shape);
}

/**
 * The dense target and the ignore mask for `logits`. A label map becomes a one-hot map by comparing
 * it with the class indices (labels outside 0..C-1 give all-zero rows instead of an error; the data
 * layer checks label values before training). Nothing here needs gradients: targets are constants.
 */
export function prepareTarget(logits: Tensor, target: Tensor, ignoreIndex: number | null, who: string): PreparedTarget {
  checkShapes(logits, target, who);
  const c = logits.shape[1]!;
  const dtype = logits.dtype;
  const isLabelMap = c > 1 && target.shape[1] === 1;
  return noGrad(() =>
    tidy(() => {
      let mask: Tensor | null = null;
      if (ignoreIndex !== null) {
        if (!isLabelMap && c > 1)
          throw new ShapeError(`${who}: ignoreIndex needs a label-map target (N, 1, ...), got a dense target`);
        mask = ve.ne(target, ignoreIndex).to(dtype);
      }
      let dense: Tensor;
      if (isLabelMap) {
        dense = ve.eq(target, classIndices(logits)).to(dtype);
        // labels outside 0..C-1 already give zero rows; an ignore index inside that range needs the mask
        if (mask !== null && ignoreIndex! >= 0 && ignoreIndex! < c) dense.mul_(mask);
      } else {
        // a binary mask may hold the ignore label itself: zero it there
        dense = mask === null ? target.to(dtype) : ve.where(ve.gt(mask, 0), target, 0).to(dtype);
      }
      return { dense, mask, isLabelMap };
    }),
  );
}

/**
 * The logits in the precision losses are computed in: float16/bfloat16 logits (mixed precision) are
 * raised to float32, since their softmax, logarithms and large sums lose too much. Call inside tidy.
 */
export function inLossPrecision(logits: Tensor): Tensor {
  return logits.dtype === 'float16' || logits.dtype === 'bfloat16' ? logits.to('float32') : logits;
}

/** Class probabilities from logits: softmax over the channel axis, or an independent sigmoid per channel. */
export function probabilities(logits: Tensor, activation: Activation): Tensor {
  return activation === 'softmax' ? ve.softmax(logits, 1) : ve.sigmoid(logits);
}

/** Dimensions a per-class sum runs over: the spatial ones, plus the batch for batch Dice. */
export function reductionDims(logits: Tensor, batch: boolean): number[] {
  const spatial = logits.shape.slice(2).map((_, i) => i + 2);
  return batch ? [0, ...spatial] : spatial;
}

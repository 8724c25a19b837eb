/**
 * The per-class soft counts that Dice, Tversky and generalised Dice are built from: soft true
 * positives Σ p·g, and the prediction and reference volumes Σ p and Σ g, over the spatial axes (and
 * the batch, for batch Dice). Probabilities at ignored voxels are masked out of every sum.
 */
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError } from '../util/errors.js';
import { type Activation, inLossPrecision, prepareTarget, probabilities, reductionDims } from './target.js';

export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by the overlap losses (MONAI's names where MONAI has one). */
export interface RegionLossOptions {
  /** 'softmax' over channels (default) or an independent 'sigmoid' per channel */
  activation?: Activation;
  /**
   * Keep channel 0 (the background) in the loss. Default true (MONAI); nnU-Net trains without it.
   * A single-channel (sigmoid, binary) output has no background channel and ignores this.
   */
  includeBackground?: boolean;
  /** nnU-Net's batch Dice: sum over the whole batch as one volume instead of per sample */
  batch?: boolean;
  /** added to numerator and denominator (nnU-Net 1e-5); keeps empty classes finite */
  smooth?: number;
  /** voxels whose label is this value count nowhere (label-map targets) */
  ignoreIndex?: number | null;
  /** 'mean' (default) over samples and classes, 'sum', or 'none': the per-class losses (N, C') or (C') with batch */
  reduction?: Reduction;
}

export interface ResolvedRegionOptions {
  activation: Activation;
  includeBackground: boolean;
  batch: boolean;
  smooth: number;
  ignoreIndex: number | null;
  reduction: Reduction;
}

export function resolveRegionOptions(
  o: RegionLossOptions,
  defaults: { includeBackground: boolean },
): ResolvedRegionOptions {
  const activation = o.activation ?? 'softmax';
  if (activation !== 'softmax' && activation !== 'sigmoid')
    throw new OptionError('activation', `expected softmax or sigmoid, got ${String(activation)}`);
  const reduction = o.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(reduction))
    throw new OptionError('reduction', `expected mean, sum or none, got ${String(reduction)}`);
  const smooth = o.smooth ?? 1e-5;
  if (!(Number.isFinite(smooth) && smooth >= 0))
    throw new OptionError('smooth', `must be a finite number >= 0, got ${smooth}`);
  const ignoreIndex = o.ignoreIndex ?? null;
  if (ignoreIndex !== null && !Number.isInteger(ignoreIndex))
    throw new OptionError('ignoreIndex', `must be an integer label, got ${ignoreIndex}`);
  return {
    activation,
    includeBackground: o.includeBackground ?? defaults.includeBackground,
    batch: !!o.batch,
    smooth,
    ignoreIndex,
    reduction,
  };
}

export interface RegionSums {
  /** Σ p·g per (sample,) class */
  intersection: Tensor;
  /** Σ p (or Σ p² when squared) */
  predSum: Tensor;
  /** Σ g (or Σ g² when squared) */
  targetSum: Tensor;
}

/**
 * Probabilities, dense target and per-class sums for one batch; channel 0 is dropped before any
 * product when the background is excluded. Call inside tidy: intermediates are left to it.
 */
export function regionSums(
  rawLogits: Tensor,
  target: Tensor,
  o: ResolvedRegionOptions,
  who: string,
  squared = false,
): RegionSums {
  const logits = inLossPrecision(rawLogits);
  const { dense: fullTarget, mask } = prepareTarget(logits, target, o.ignoreIndex, who);
  let probs = probabilities(logits, o.activation);
  let dense = fullTarget;
  if (!o.includeBackground && logits.shape[1]! > 1) {
    probs = probs.slice(1, 1);
    dense = dense.slice(1, 1);
  }
  if (mask !== null) probs = ve.mul(probs, mask);
  const dims = reductionDims(logits, o.batch);
  const intersection = ve.mul(probs, dense).sum(dims);
  const predSum = (squared ? ve.square(probs) : probs).sum(dims);
  const targetSum = (squared ? ve.square(dense) : dense).sum(dims);
  return { intersection, predSum, targetSum };
}

/** Reduces per-class losses as asked. */
export function reduce(perClass: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return perClass;
  return reduction === 'sum' ? perClass.sum() : perClass.mean();
}

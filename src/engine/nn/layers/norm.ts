/**
 * Normalisation layers with PyTorch's names and semantics: BatchNorm keeps running_mean,
 * running_var and num_batches_tracked buffers (updated in training, used in eval); InstanceNorm
 * defaults to no affine and no running statistics (as torch.nn.InstanceNorm does); GroupNorm and
 * LayerNorm always normalise with the batch's own statistics.
 */
import { ones, zeros } from '../../creation.js';
import { noGrad } from '../../autograd.js';
import * as F from '../../ops.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running average; null = cumulative average (as torch). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class NormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions,
    defaults: { affine: boolean; track: boolean },
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? defaults.affine;
    this.trackRunningStats = options.trackRunningStats ?? defaults.track;
    this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int64' }));
    }
  }

  get weight(): Tensor | null {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }
  get runningMean(): Tensor | null {
    return this.trackRunningStats ? this.buffer('running_mean') : null;
  }
  get runningVar(): Tensor | null {
    return this.trackRunningStats ? this.buffer('running_var') : null;
  }

  /** The momentum to use this step (cumulative average when momentum is null), counting the batch. */
  protected stepMomentum(): number {
    if (!(this.training && this.trackRunningStats)) return 0;
    const tracked = this.buffer('num_batches_tracked')!;
    noGrad(() => tracked.add_(1));
    return this.momentum ?? 1 / Number(tracked.item());
  }

  /** Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0 (torch's reset_running_stats). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.buffer('running_mean')!.zero_();
      this.buffer('running_var')!.fill_(1);
      this.buffer('num_batches_tracked')!.zero_();
    });
  }

  /** Throws when `x` has none of the `ranks` or its channel count is not `numFeatures`. */
  protected checkInput(x: Tensor, ranks: number[]): void {
    if (!ranks.includes(x.ndim)) {
      throw new RangeError(
        `${this.constructor.name} expects a ${ranks.join(' or ')}-D input, got shape [${x.shape.join(', ')}]`,
      );
    }
  }
}

/** Batch normalisation with running statistics, the base of BatchNorm1d/2d/3d (torch.nn.BatchNorm*d). */
export class BatchNorm extends NormBase {
  /** Arguments and defaults as torch.nn.BatchNorm's (options in camelCase). */
  constructor(
    readonly dims: 1 | 2 | 3,
    numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super(numFeatures, options, { affine: true, track: true });
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    this.checkInput(x, this.dims === 1 ? [2, 3] : [this.dims + 2]);
    const momentum = this.stepMomentum();
    // Batch statistics in training, or whenever there are no running statistics to use.
    const useBatchStats = this.training || !this.trackRunningStats;
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, useBatchStats, momentum, this.eps);
  }
}

/** Batch normalisation over (N, C) or (N, C, L) (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNorm {
  /** Arguments and defaults as torch.nn.BatchNorm1d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(1, numFeatures, options);
  }
}
/** Batch normalisation over (N, C, H, W) (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNorm {
  /** Arguments and defaults as torch.nn.BatchNorm2d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(2, numFeatures, options);
  }
}
/** Batch normalisation over (N, C, D, H, W) (torch.nn.BatchNorm3d). */
export class BatchNorm3d extends BatchNorm {
  /** Arguments and defaults as torch.nn.BatchNorm3d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(3, numFeatures, options);
  }
}

/** Instance normalisation (per sample and channel), the base of InstanceNorm1d/2d/3d (torch.nn.InstanceNorm*d). */
export class InstanceNorm extends NormBase {
  /** Arguments and defaults as torch.nn.InstanceNorm's (options in camelCase). */
  constructor(
    readonly dims: 1 | 2 | 3,
    numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super(numFeatures, options, { affine: false, track: false });
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    this.checkInput(x, [this.dims + 2]);
    const momentum = this.stepMomentum();
    const useInputStats = this.training || !this.trackRunningStats;
    return F.instanceNorm(
      x,
      this.runningMean,
      this.runningVar,
      this.weight,
      this.bias,
      useInputStats,
      momentum,
      this.eps,
    );
  }
}

/** Instance normalisation over (N, C, L) (torch.nn.InstanceNorm1d). */
export class InstanceNorm1d extends InstanceNorm {
  /** Arguments and defaults as torch.nn.InstanceNorm1d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(1, numFeatures, options);
  }
}
/** Instance normalisation over (N, C, H, W) (torch.nn.InstanceNorm2d). */
export class InstanceNorm2d extends InstanceNorm {
  /** Arguments and defaults as torch.nn.InstanceNorm2d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(2, numFeatures, options);
  }
}
/** Instance normalisation over (N, C, D, H, W) (torch.nn.InstanceNorm3d). */
export class InstanceNorm3d extends InstanceNorm {
  /** Arguments and defaults as torch.nn.InstanceNorm3d's (options in camelCase). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(3, numFeatures, options);
  }
}

/** Group normalisation over channel groups (torch.nn.GroupNorm). */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;

  /** Arguments and defaults as torch.nn.GroupNorm's (options in camelCase). */
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    options: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (numChannels % numGroups !== 0)
      throw new RangeError(`numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    this.registerParameter('weight', this.affine ? ones([numChannels]) : null);
    this.registerParameter('bias', this.affine ? zeros([numChannels]) : null);
  }

  get weight(): Tensor | null {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/** Layer normalisation over the trailing dimensions (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;

  /** Arguments and defaults as torch.nn.LayerNorm's (options in camelCase). */
  constructor(
    normalizedShape: number | number[],
    options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.registerParameter('weight', affine ? ones(this.normalizedShape) : null);
    this.registerParameter('bias', affine && (options.bias ?? true) ? zeros(this.normalizedShape) : null);
  }

  get weight(): Tensor | null {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }

  /** Applies the layer to `x`. */
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

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

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.buffer('running_mean')!.zero_();
      this.buffer('running_var')!.fill_(1);
      this.buffer('num_batches_tracked')!.zero_();
    });
  }

  protected checkInput(x: Tensor, ranks: number[]): void {
    if (!ranks.includes(x.ndim)) {
      throw new RangeError(
        `${this.constructor.name} expects a ${ranks.join(' or ')}-D input, got shape [${x.shape.join(', ')}]`,
      );
    }
  }
}

export class BatchNorm extends NormBase {
  constructor(
    readonly dims: 1 | 2 | 3,
    numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super(numFeatures, options, { affine: true, track: true });
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, this.dims === 1 ? [2, 3] : [this.dims + 2]);
    const momentum = this.stepMomentum();
    // Batch statistics in training, or whenever there are no running statistics to use.
    const useBatchStats = this.training || !this.trackRunningStats;
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, useBatchStats, momentum, this.eps);
  }
}

export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(1, numFeatures, options);
  }
}
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(2, numFeatures, options);
  }
}
export class BatchNorm3d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(3, numFeatures, options);
  }
}

export class InstanceNorm extends NormBase {
  constructor(
    readonly dims: 1 | 2 | 3,
    numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super(numFeatures, options, { affine: false, track: false });
  }

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

export class InstanceNorm1d extends InstanceNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(1, numFeatures, options);
  }
}
export class InstanceNorm2d extends InstanceNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(2, numFeatures, options);
  }
}
export class InstanceNorm3d extends InstanceNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(3, numFeatures, options);
  }
}

export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;

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

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;

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

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

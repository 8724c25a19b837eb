/**
 * Learning-rate schedules. The value at step t is a pure function of the base rate (the published
 * formulas below); the schedule objects apply it to an optimizer's parameter groups the way
 * torch.optim.lr_scheduler does: constructing one sets step 0's rate, each step() advances by one.
 */

/** nnU-Net's poly schedule: lr0 · (1 − t/T)^exponent, 0 from T on. */
export function polyLr(lr0: number, t: number, totalSteps: number, exponent = 0.9): number {
  if (t >= totalSteps) return 0;
  return lr0 * (1 - t / totalSteps) ** exponent;
}

/** Cosine annealing (SGDR without restarts): etaMin + (lr0 − etaMin)(1 + cos(πt/T))/2. */
export function cosineLr(lr0: number, t: number, totalSteps: number, etaMin = 0): number {
  return etaMin + ((lr0 - etaMin) * (1 + Math.cos((Math.PI * t) / totalSteps))) / 2;
}

/** Step decay: lr0 · gamma^⌊t/stepSize⌋. */
export function stepLr(lr0: number, t: number, stepSize: number, gamma = 0.1): number {
  return lr0 * gamma ** Math.floor(t / stepSize);
}

/** Decay at milestones (torch's MultiStepLR): lr0 · gamma^(number of milestones ≤ t). */
export function multiStepLr(lr0: number, t: number, milestones: readonly number[], gamma = 0.1): number {
  return lr0 * gamma ** milestones.filter((m) => m <= t).length;
}

/** Linear warm-up factor, as torch's LinearLR: from startFactor at t=0 to 1 at t=warmupSteps. */
export function linearWarmupFactor(t: number, warmupSteps: number, startFactor: number): number {
  if (warmupSteps <= 0) return 1;
  return startFactor + ((1 - startFactor) * Math.min(t, warmupSteps)) / warmupSteps;
}

/** What a schedule needs from an optimizer: parameter groups with a mutable learning rate. */
export interface HasParamGroups {
  paramGroups: Array<{ lr: number; initialLr?: number }>;
}

export interface SchedulerState {
  lastStep: number;
  baseLrs: number[];
}

/** Base class: subclasses define lrAt(base, t). */
export abstract class LrScheduler {
  readonly baseLrs: number[];
  lastStep = 0;

  /**
   * Creates a `LrScheduler`.
   * @param optimizer whose groups' rates the schedule sets; their current rates are the base rates
   */
  constructor(readonly optimizer: HasParamGroups) {
    // Like torch: the first schedule on an optimizer records each group's starting rate as initialLr,
    // so a schedule created after another (or wrapped in a warm-up) shares the same base.
    this.baseLrs = optimizer.paramGroups.map((g) => (g.initialLr ??= g.lr));
  }

  /** The rate for a group whose base rate is `base`, at step t. */
  abstract lrAt(base: number, t: number): number;

  /** Sets the optimizer's rates for the current step; subclasses' constructors call it last. */
  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.baseLrs[i]!, this.lastStep);
    });
  }

  /** Advances one step (call after optimizer.step()). */
  step(): void {
    this.lastStep += 1;
    this.apply();
  }

  /** Current learning rate of each parameter group. */
  getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The step count and base rates, for checkpoints. */
  stateDict(): SchedulerState {
    return { lastStep: this.lastStep, baseLrs: [...this.baseLrs] };
  }

  /** Restores the step count and base rates, and sets the optimizer's rates for that step. */
  loadStateDict(state: SchedulerState): void {
    if (state.baseLrs.length !== this.baseLrs.length) {
      throw new RangeError(
        `scheduler state has ${state.baseLrs.length} groups, the optimizer has ${this.baseLrs.length}`,
      );
    }
    this.lastStep = state.lastStep;
    state.baseLrs.forEach((b, i) => {
      this.baseLrs[i] = b;
    });
    this.apply();
  }
}

/** nnU-Net's poly schedule over `totalSteps` steps (`polyLr`). */
export class PolyLR extends LrScheduler {
  /**
   * Creates a `PolyLR`.
   * @throws RangeError for a step count that is not a positive (warm-up: non-negative) integer
   */
  constructor(
    optimizer: HasParamGroups,
    readonly options: { totalSteps: number; exponent?: number },
  ) {
    super(optimizer);
    positive('totalSteps', options.totalSteps);
    this.apply();
  }
  lrAt(base: number, t: number): number {
    return polyLr(base, t, this.options.totalSteps, this.options.exponent ?? 0.9);
  }
}

/** Cosine annealing to `etaMin` over `totalSteps` steps (torch.optim.lr_scheduler.CosineAnnealingLR). */
export class CosineAnnealingLR extends LrScheduler {
  /**
   * Creates a `CosineAnnealingLR`.
   * @throws RangeError for a step count that is not a positive (warm-up: non-negative) integer
   */
  constructor(
    optimizer: HasParamGroups,
    readonly options: { totalSteps: number; etaMin?: number },
  ) {
    super(optimizer);
    positive('totalSteps', options.totalSteps);
    this.apply();
  }
  lrAt(base: number, t: number): number {
    return cosineLr(base, t, this.options.totalSteps, this.options.etaMin ?? 0);
  }
}

/** The rate times `gamma` every `stepSize` steps (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LrScheduler {
  /**
   * Creates a `StepLR`.
   * @throws RangeError for a step count that is not a positive (warm-up: non-negative) integer
   */
  constructor(
    optimizer: HasParamGroups,
    readonly options: { stepSize: number; gamma?: number },
  ) {
    super(optimizer);
    positive('stepSize', options.stepSize);
    this.apply();
  }
  lrAt(base: number, t: number): number {
    return stepLr(base, t, this.options.stepSize, this.options.gamma ?? 0.1);
  }
}

/** The rate times `gamma` at each milestone step (torch.optim.lr_scheduler.MultiStepLR). */
export class MultiStepLR extends LrScheduler {
  /**
   * Creates a `MultiStepLR`.
   * @throws RangeError for milestones that are not positive integers
   */
  constructor(
    optimizer: HasParamGroups,
    readonly options: { milestones: readonly number[]; gamma?: number },
  ) {
    super(optimizer);
    if (!options.milestones.every((m) => Number.isInteger(m) && m > 0))
      throw new RangeError(`milestones must be positive integers, got [${options.milestones.join(', ')}]`);
    this.apply();
  }
  lrAt(base: number, t: number): number {
    return multiStepLr(base, t, this.options.milestones, this.options.gamma ?? 0.1);
  }
}

/**
 * Linear warm-up for `warmupSteps` steps (rate base·startFactor at t=0 rising to base), then the
 * wrapped schedule from its own step 0 (torch's SequentialLR of LinearLR and the other); constant
 * after warm-up when nothing is wrapped.
 */
export class LinearWarmup extends LrScheduler {
  /**
   * Creates a `LinearWarmup`.
   * @throws RangeError for a step count that is not a positive (warm-up: non-negative) integer
   */
  constructor(
    optimizer: HasParamGroups,
    readonly options: { warmupSteps: number; startFactor?: number; after?: LrScheduler },
  ) {
    super(optimizer);
    if (!(Number.isInteger(options.warmupSteps) && options.warmupSteps >= 0)) {
      throw new RangeError(`warmupSteps must be a non-negative integer, got ${options.warmupSteps}`);
    }
    if (options.after && options.after.optimizer !== optimizer)
      throw new RangeError('the wrapped schedule must drive the same optimizer');
    this.apply();
  }
  lrAt(base: number, t: number): number {
    const { warmupSteps, startFactor = 1 / Math.max(warmupSteps, 1), after } = this.options;
    if (t < warmupSteps) return base * linearWarmupFactor(t, warmupSteps, startFactor);
    return after ? after.lrAt(base, t - warmupSteps) : base;
  }
}

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);
}

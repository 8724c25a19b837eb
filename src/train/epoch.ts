/**
 * One training epoch: `iterations` steps, each taking the next batch from the task's stream (made
 * ahead of time in worker threads where the task has them), forward and loss (the task's), backward,
 * optimizer step, schedule step. Measures how long the step waited for data, so a slow pipeline shows
 * up in the log instead of hiding.
 */
import { autocast } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import { clipGradNorm } from '../engine/optim/clip.js';
import type { Module } from '../engine/nn/module.js';
import type { Optimizer } from '../engine/optim/optimizer.js';
import type { LrScheduler } from '../engine/optim/schedules.js';
import type { Tensor } from '../engine/tensor.js';
import { VesaliusError } from '../util/errors.js';
import type { BatchStream } from './task.js';

export interface EpochContext<B> {
  model: Module<[Tensor], unknown>;
  optimizer: Optimizer<object>;
  scheduler: LrScheduler;
  /** Forward pass and loss of a batch. */
  loss: (batch: B) => Tensor;
  imagesIn: (batch: B) => number;
  batches: BatchStream<B>;
  iterations: number;
  /** Forward passes under bf16 autocast. */
  bfloat16?: boolean;
  /** Runs between backward and the optimizer step (data-parallel training averages the gradients here). */
  afterBackward?: () => Promise<void>;
  /** Gradients are scaled to this joint L2 norm at most before each step. */
  clip?: { params: Tensor[]; maxNorm: number };
  /** Runs after each optimizer step (the weight average follows the weights here). */
  afterStep?: () => void;
  /** Called after every step with the running mean loss of the epoch, images and steps so far. */
  onStep?: (meanLoss: number, lr: number, images: number, steps: number) => void;
}

export interface EpochStats {
  meanLoss: number;
  seconds: number;
  /** Seconds the loop spent waiting for batches. */
  dataWaitSeconds: number;
  images: number;
}

function step<B>(ctx: EpochContext<B>): void {
  if (ctx.clip) clipGradNorm(ctx.clip.params, ctx.clip.maxNorm);
  ctx.optimizer.step();
}

export async function trainEpoch<B>(ctx: EpochContext<B>): Promise<EpochStats> {
  const start = performance.now();
  let wait = 0,
    total = 0,
    images = 0;
  ctx.model.train(true);
  for (let it = 0; it < ctx.iterations; it++) {
    const t0 = performance.now();
    const batch = await ctx.batches.next();
    wait += performance.now() - t0;
    const value = tidy(() => {
      ctx.optimizer.zeroGrad();
      // The inner scope frees the activations' handles before backward, so autograd releases them as it
      // goes (as PyTorch's reference counting does) instead of all of them living until the step ends.
      const l = tidy(() => (ctx.bfloat16 ? autocast(() => ctx.loss(batch)) : ctx.loss(batch)));
      l.backward();
      if (!ctx.afterBackward) step(ctx);
      return l.item() as number;
    });
    if (ctx.afterBackward) {
      await ctx.afterBackward();
      tidy(() => step(ctx));
    }
    ctx.afterStep?.();
    if (!Number.isFinite(value))
      throw new VesaliusError(
        `training diverged: the loss is ${value} at step ${it + 1} of the epoch (lower optimizer.lr?)`,
      );
    ctx.scheduler.step();
    total += value;
    images += ctx.imagesIn(batch);
    ctx.onStep?.(total / (it + 1), ctx.scheduler.getLr()[0]!, images, it + 1);
    // a prefetched batch resolves as a microtask: yield to the event loop so the progress timer
    // fires and the loader's worker messages are taken in as they come
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return {
    meanLoss: total / ctx.iterations,
    seconds: (performance.now() - start) / 1000,
    dataWaitSeconds: wait / 1000,
    images,
  };
}

/**
 * One training epoch: `iterations` steps, each taking the next batch from the loader (made ahead
 * of time in worker threads), forward, loss, backward, optimizer step, schedule step. Measures how
 * long the step waited for data, so a slow pipeline shows up in the log instead of hiding.
 */
import { tidy } from '../engine/memory.js';
import type { Module } from '../engine/nn/module.js';
import type { Optimizer } from '../engine/optim/optimizer.js';
import type { LrScheduler } from '../engine/optim/schedules.js';
import type { Tensor } from '../engine/tensor.js';
import { type BatchLoader, batchTensors } from '../data/loader.js';
import { VesaliusError } from '../util/errors.js';

export interface EpochContext {
  model: Module<[Tensor], Tensor | Tensor[]>;
  optimizer: Optimizer<object>;
  scheduler: LrScheduler;
  loss: (output: Tensor | Tensor[], target: Tensor) => Tensor;
  loader: BatchLoader;
  device: string;
  iterations: number;
  /** Called after every step with the running mean loss of the epoch. */
  onStep?: (meanLoss: number, lr: number, images: number) => void;
}

export interface EpochStats {
  meanLoss: number;
  seconds: number;
  /** Seconds the loop spent waiting for batches. */
  dataWaitSeconds: number;
  images: number;
}

export async function trainEpoch(ctx: EpochContext): Promise<EpochStats> {
  const start = performance.now();
  let wait = 0,
    total = 0,
    images = 0;
  ctx.model.train(true);
  for (let it = 0; it < ctx.iterations; it++) {
    const t0 = performance.now();
    const batch = await ctx.loader.next();
    wait += performance.now() - t0;
    const value = tidy(() => {
      const { image, label } = batchTensors(batch, ctx.device);
      ctx.optimizer.zeroGrad();
      // The inner scope frees the activations' handles before backward, so autograd releases them as it
      // goes (as PyTorch's reference counting does) instead of all of them living until the step ends.
      const l = tidy(() => ctx.loss(ctx.model.forward(image), label));
      l.backward();
      ctx.optimizer.step();
      return l.item() as number;
    });
    if (!Number.isFinite(value))
      throw new VesaliusError(
        `training diverged: the loss is ${value} at step ${it + 1} of the epoch (lower optimizer.lr?)`,
      );
    ctx.scheduler.step();
    total += value;
    images += batch.imageShape[0]!;
    ctx.onStep?.(total / (it + 1), ctx.scheduler.getLr()[0]!, images);
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

/**
 * Optimizer and learning-rate schedule from the config: SGD (Nesterov momentum, nnU-Net's default)
 * or Adam/AdamW; poly (nnU-Net), cosine, constant or step decay at milestone epochs (MedMNIST's), each
 * optionally after a linear warm-up. The schedule advances once per optimizer step over
 * epochs × iterations_per_epoch steps.
 */
import { Adam, AdamW } from '../engine/optim/adam.js';
import type { Optimizer } from '../engine/optim/optimizer.js';
import { CosineAnnealingLR, LinearWarmup, type LrScheduler, MultiStepLR, PolyLR } from '../engine/optim/schedules.js';
import { SGD } from '../engine/optim/sgd.js';
import type { Tensor } from '../engine/tensor.js';
import type { TrainingConfig } from './config.js';

/** The optimizer of the config's `optimizer` section over `params` (SGD with Nesterov momentum, Adam or AdamW). */
export function buildOptimizer(config: Pick<TrainingConfig, 'optimizer'>, params: Tensor[]): Optimizer<object> {
  const o = config.optimizer;
  switch (o.name) {
    case 'sgd':
      return new SGD(params, {
        lr: o.lr,
        momentum: o.momentum,
        nesterov: o.nesterov && o.momentum > 0,
        weightDecay: o.weight_decay,
      }) as Optimizer<object>;
    case 'adam':
      return new Adam(params, {
        lr: o.lr,
        betas: o.betas,
        eps: o.eps,
        weightDecay: o.weight_decay,
      }) as Optimizer<object>;
    case 'adamw':
      return new AdamW(params, {
        lr: o.lr,
        betas: o.betas,
        eps: o.eps,
        weightDecay: o.weight_decay,
      }) as Optimizer<object>;
  }
}

/** Total optimizer steps of the run. */
export const totalSteps = (config: Pick<TrainingConfig, 'epochs' | 'iterations_per_epoch'>): number =>
  config.epochs * config.iterations_per_epoch;

/** The learning-rate schedule of the config's `schedule` section, stepped once per optimizer step. */
export function buildScheduler(
  config: Pick<TrainingConfig, 'schedule' | 'epochs' | 'iterations_per_epoch'>,
  optimizer: Optimizer<object>,
): LrScheduler {
  const s = config.schedule;
  const warmup = Math.min(s.warmup_epochs * config.iterations_per_epoch, totalSteps(config) - 1);
  const steps = Math.max(1, totalSteps(config) - warmup);
  const main =
    s.name === 'poly'
      ? new PolyLR(optimizer, { totalSteps: steps, exponent: s.power })
      : s.name === 'cosine'
        ? new CosineAnnealingLR(optimizer, { totalSteps: steps, etaMin: s.min_lr })
        : s.name === 'step' && s.milestones.length > 0
          ? new MultiStepLR(optimizer, {
              milestones: s.milestones.map((e) => Math.max(1, e * config.iterations_per_epoch - warmup)),
              gamma: s.gamma,
            })
          : undefined;
  if (!main || warmup > 0) return new LinearWarmup(optimizer, { warmupSteps: warmup, after: main });
  return main;
}

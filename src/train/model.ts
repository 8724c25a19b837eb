/**
 * The network a run trains, from the config's `network` section and the plan: features per stage,
 * kernels and strides per stage (the plan's, in image order, reversed here to tensor order), norm,
 * activation, residual encoder, attention gates, deep supervision. The run folder saves config and
 * plan, so `buildModel` rebuilds exactly the same network (same parameter names and shapes).
 */
import type { Plan } from '../data/plan.js';
import { defaultFeatures, inputDivisor, resolveUNetConfig, type UNetOptions } from '../nets/config.js';
import { classicUNetOptions } from '../nets/presets.js';
import { UNet } from '../nets/unet.js';
import { OptionError } from '../util/errors.js';
import type { TrainingConfig } from './config.js';

export type ModelConfig = Pick<TrainingConfig, 'network'> & { patch_size?: number[] | null };

/** The U-Net options for a config and plan (throws an OptionError when they do not fit together). */
export function modelOptions(config: ModelConfig, plan: Plan, inChannels: number, numClasses: number): UNetOptions {
  const n = config.network;
  const dims = n.dims ?? (plan.dimension === '2d' ? 2 : 3);
  if (dims !== plan.patch_size.length)
    throw new OptionError('network.dims', `is ${dims} but the plan's patch has ${plan.patch_size.length} axes`);
  if (n.architecture === 'classic_unet') return classicUNetOptions({ spatialDims: dims, inChannels, numClasses });
  const planStages = plan.pool_kernel_sizes.length;
  let features = n.features ?? plan.features_per_stage;
  if (n.depth !== null) {
    if (n.features !== null && n.features.length !== n.depth)
      throw new OptionError('network.depth', `is ${n.depth} but network.features lists ${n.features.length} stages`);
    if (n.features === null)
      features = n.depth === planStages ? plan.features_per_stage : defaultFeatures(n.depth, dims);
  }
  const fromPlan = features.length === planStages;
  return {
    spatialDims: dims,
    inChannels,
    numClasses,
    features: [...features],
    // plan lists are in image order (i, j, k); the network wants tensor order (k, j, i)
    kernelSizes: fromPlan ? plan.conv_kernel_sizes.map((k) => [...k].reverse()) : 3,
    strides: fromPlan ? plan.pool_kernel_sizes.map((s) => [...s].reverse()) : features.map((_, i) => (i === 0 ? 1 : 2)),
    convsPerStage: n.convs_per_stage,
    norm: n.norm,
    activation: n.activation,
    negativeSlope: n.negative_slope,
    residual: n.residual,
    deepSupervision: n.deep_supervision,
    attention: n.attention,
    upsampling: n.upsampling,
    dropout: n.dropout,
  };
}

/** Tensor-order patch size a config and plan train on. */
export function patchSizeOf(plan: Plan): number[] {
  return [...plan.patch_size].reverse();
}

/** Builds the network; checks that the plan's patch fits its down-sampling before anything trains. */
export function buildModel(config: ModelConfig, plan: Plan, inChannels: number, numClasses: number): UNet {
  const options = modelOptions(config, plan, inChannels, numClasses);
  const divisor = inputDivisor(resolveUNetConfig(options));
  const patch = patchSizeOf(plan);
  if (!patch.every((p, a) => p % divisor[a]! === 0)) {
    throw new OptionError(
      'patch_size',
      `[${plan.patch_size.join(', ')}] (image order) must be divisible by [${[...divisor].reverse().join(', ')}], the network's total down-sampling per axis`,
    );
  }
  return new UNet(options);
}

/**
 * The training plan, derived from the fingerprint by nnU-Net's rules (ExperimentPlanner, v2):
 *
 * - Dimension: 2D when every case has k = 1, else 3D (or as overridden).
 * - Target spacing: the per-axis median spacing; in 3D, when the coarsest axis is more than 3× the
 *   others' spacing AND has fewer than a third of their voxels, it takes the 10th percentile of its
 *   spacings instead (at least the others' spacing).
 * - Median shape: the per-axis median of the cropped shapes resampled to the target spacing.
 * - Patch: starts at a 256³ (3D) / 2048² (2D) voxel budget shaped like the spacing, clipped to the
 *   median shape; pooling per axis until the feature map edge would drop below 4, an axis whose
 *   spacing is ≥ 2× the finest is not pooled until the others catch up; the patch is padded to a
 *   multiple of 2^pools; then the axis largest relative to the median shape shrinks until a batch of
 *   2 fits the memory budget.
 * - Features: 32 doubling per stage, capped at 320 (3D) / 512 (2D).
 * - Batch: as many as fit the budget, at most what covers 5 % of the dataset's voxels, at least 2.
 * - Normalisation per channel from its name ('CT' → 'ct', else 'zscore'); z-score uses the non-zero
 *   mask when cropping removed more than a quarter of the median case (nnU-Net's use_mask_for_norm).
 *
 * Axis order everywhere is the image's: (i, j[, k]), fastest first. Engine tensors are
 * [N, C, (k,) j, i], so reverse these lists when building a network.
 *
 * Memory estimate (documented, not nnU-Net's number): float32 activations kept for backward in a
 * U-Net with `convs_per_stage` conv→norm→activation blocks per stage (3 stored tensors each), the
 * decoder's transposed-conv output and concatenation, input, logits and deep-supervision outputs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError, OptionError } from '../util/errors.js';
import type { DatasetFingerprint } from './fingerprint.js';
import { NORMALIZATION_SCHEMES, type NormalizationScheme, schemeForChannel } from './normalize.js';
import { percentile } from '../util/percentile.js';
import { columnPercentile, roundHalfEven } from './stats.js';

export const planSchema = z.strictObject({
  dataset: z.string(),
  dimension: z.enum(['2d', '3d']),
  axis_order: z.literal('ijk'),
  channels: z.array(z.string()).min(1),
  num_classes: z.number().int().min(2),
  target_spacing: z.array(z.number().positive()).min(2).max(3),
  original_median_spacing: z.array(z.number().positive()).min(2).max(3),
  median_shape: z.array(z.number().positive()).min(2).max(3),
  patch_size: z.array(z.number().int().positive()).min(2).max(3),
  batch_size: z.number().int().positive(),
  pools_per_axis: z.array(z.number().int().nonnegative()).min(2).max(3),
  pool_kernel_sizes: z.array(z.array(z.number().int().positive())),
  conv_kernel_sizes: z.array(z.array(z.number().int().positive())),
  features_per_stage: z.array(z.number().int().positive()).min(1),
  normalization: z.array(z.enum(NORMALIZATION_SCHEMES)).min(1),
  use_mask_for_norm: z.array(z.boolean()).min(1),
  foreground_intensity: z.array(
    z.strictObject({
      name: z.string(),
      mean: z.number(),
      median: z.number(),
      std: z.number(),
      min: z.number(),
      max: z.number(),
      percentile_00_5: z.number(),
      percentile_99_5: z.number(),
    }),
  ),
  memory: z.strictObject({
    budget_bytes: z.number().positive(),
    estimated_bytes_per_sample: z.number().positive(),
  }),
  overridden: z.array(z.string()),
});

export type Plan = z.infer<typeof planSchema>;

export interface PlanOverrides {
  dimension?: '2d' | '3d';
  target_spacing?: number[];
  patch_size?: number[];
  batch_size?: number;
  pools_per_axis?: number[];
  features_per_stage?: number[];
  normalization?: NormalizationScheme[];
  use_mask_for_norm?: boolean[];
  memory_budget_gb?: number;
  max_batch_dataset_fraction?: number;
}

export interface PlanOptions {
  overrides?: PlanOverrides;
  convsPerStage?: number;
  deepSupervision?: boolean;
  baseFeatures?: number;
}

const ANISOTROPY_THRESHOLD = 3;
const MIN_FEATURE_MAP_EDGE = 4;
const MIN_BATCH = 2;

/** nnU-Net's determine_fullres_target_spacing. */
export function targetSpacing(spacings: number[][], shapesAfterCrop: number[][]): number[] {
  const target = columnPercentile(spacings, 50);
  if (target.length < 3) return target;
  const size = columnPercentile(shapesAfterCrop, 50);
  const worst = target.indexOf(Math.max(...target));
  const others = target.map((_, d) => d).filter((d) => d !== worst);
  const otherSpacings = others.map((d) => target[d]!);
  const otherSizes = others.map((d) => size[d]!);
  const anisoSpacing = target[worst]! > ANISOTROPY_THRESHOLD * Math.max(...otherSpacings);
  const anisoVoxels = size[worst]! * ANISOTROPY_THRESHOLD < Math.min(...otherSizes);
  if (anisoSpacing && anisoVoxels) {
    let t = percentile(
      spacings.map((s) => s[worst]!),
      10,
    );
    if (t < Math.max(...otherSpacings)) t = Math.max(Math.max(...otherSpacings), t) + 1e-5;
    target[worst] = t;
  }
  return target;
}

export interface Topology {
  poolsPerAxis: number[];
  poolKernelSizes: number[][];
  convKernelSizes: number[][];
  /** The patch padded up to a multiple of `divisibleBy`. */
  patchSize: number[];
  divisibleBy: number[];
}

/** nnU-Net's get_pool_and_conv_props (feature map edge ≥ 4, anisotropy-aware). */
export function poolAndConvProps(
  spacing: readonly number[],
  patchSize: readonly number[],
  minEdge = MIN_FEATURE_MAP_EDGE,
  maxPools = 999999,
): Topology {
  const dim = spacing.length;
  const currentSpacing = [...spacing];
  const currentSize = [...patchSize];
  const poolKernelSizes: number[][] = [new Array(dim).fill(1)];
  const convKernelSizes: number[][] = [];
  const poolsPerAxis = new Array<number>(dim).fill(0);
  const kernel = new Array<number>(dim).fill(1);
  for (;;) {
    let valid = [...Array(dim).keys()].filter((d) => currentSize[d]! >= 2 * minEdge);
    if (valid.length < 1) break;
    const minSpacing = Math.min(...valid.map((d) => currentSpacing[d]!));
    valid = valid.filter((d) => currentSpacing[d]! / minSpacing < 2);
    valid = valid.filter((d) => poolsPerAxis[d]! < maxPools);
    if (valid.length === 1 && !(currentSize[valid[0]!]! >= 3 * minEdge)) break;
    if (valid.length < 1) break;
    const globalMin = Math.min(...currentSpacing);
    for (let d = 0; d < dim; d++) if (kernel[d] !== 3 && currentSpacing[d]! / globalMin < 2) kernel[d] = 3;
    const pool = new Array<number>(dim).fill(1);
    for (const d of valid) {
      pool[d] = 2;
      poolsPerAxis[d]!++;
      currentSpacing[d]! *= 2;
      currentSize[d] = Math.ceil(currentSize[d]! / 2);
    }
    poolKernelSizes.push(pool);
    convKernelSizes.push([...kernel]);
  }
  convKernelSizes.push(new Array(dim).fill(3));
  const divisibleBy = poolsPerAxis.map((p) => 2 ** p);
  const padded = patchSize.map((s, d) => Math.ceil(s / divisibleBy[d]!) * divisibleBy[d]!);
  return { poolsPerAxis, poolKernelSizes, convKernelSizes, patchSize: padded, divisibleBy };
}

/** Topology for user-given pools per axis (pooling axis d in the first pools[d] stages). */
function topologyFromPools(patchSize: readonly number[], pools: readonly number[]): Topology {
  const stages = Math.max(...pools);
  const poolKernelSizes = [patchSize.map(() => 1)];
  for (let s = 0; s < stages; s++) poolKernelSizes.push(pools.map((p) => (s < p ? 2 : 1)));
  const convKernelSizes = Array.from({ length: stages + 1 }, () => patchSize.map(() => 3));
  const divisibleBy = pools.map((p) => 2 ** p);
  return {
    poolsPerAxis: [...pools],
    poolKernelSizes,
    convKernelSizes,
    patchSize: patchSize.map((s, d) => Math.ceil(s / divisibleBy[d]!) * divisibleBy[d]!),
    divisibleBy,
  };
}

/** nnU-Net's features per stage: `base` doubling per stage, capped at 320 (3D) or 512 (2D). */
export function featuresPerStage(stages: number, dims: number, base = 32): number[] {
  const cap = dims === 3 ? 320 : 512;
  return Array.from({ length: stages }, (_, s) => Math.min(base * 2 ** s, cap));
}

/** Estimated float32 activation bytes of one sample through the planned U-Net (see the module comment). */
export function estimateActivationBytes(
  patchSize: readonly number[],
  poolKernelSizes: readonly number[][],
  features: readonly number[],
  inputChannels: number,
  numClasses: number,
  convsPerStage = 2,
  deepSupervision = true,
): number {
  const sizes: number[] = [];
  let map = [...patchSize];
  for (let s = 0; s < poolKernelSizes.length; s++) {
    map = map.map((m, d) => Math.ceil(m / poolKernelSizes[s]![d]!));
    sizes.push(map.reduce((a, b) => a * b, 1));
  }
  const stages = sizes.length;
  let elements = inputChannels * sizes[0]! + numClasses * sizes[0]!;
  for (let s = 0; s < stages; s++) elements += convsPerStage * 3 * features[s]! * sizes[s]!; // encoder
  for (let s = 0; s < stages - 1; s++) {
    elements += features[s]! * sizes[s]! + 2 * features[s]! * sizes[s]! + convsPerStage * 3 * features[s]! * sizes[s]!; // decoder
    if (deepSupervision && s > 0) elements += numClasses * sizes[s]!;
  }
  return elements * 4;
}

/** Builds the plan; `overrides` fix any field and the rest is derived around them. */
export function planFromFingerprint(fp: DatasetFingerprint, options: PlanOptions = {}): Plan {
  const o = options.overrides ?? {};
  const overridden = Object.keys(o).filter(
    (k) => o[k as keyof PlanOverrides] !== undefined && k !== 'memory_budget_gb' && k !== 'max_batch_dataset_fraction',
  );
  const is2DData = fp.cases.every((c) => c.shape[2] === 1);
  const dimension = o.dimension ?? (is2DData ? '2d' : '3d');
  const dims = dimension === '2d' ? 2 : 3;
  const spacings = fp.cases.map((c) => c.spacing.slice(0, dims));
  const cropped = fp.cases.map((c) => c.shape_after_crop.slice(0, dims));
  const originalMedianSpacing = columnPercentile(spacings, 50);
  const spacing = o.target_spacing ?? targetSpacing(spacings, cropped);
  if (spacing.length !== dims)
    throw new OptionError('plan.target_spacing', `needs ${dims} values for a ${dimension} plan, got ${spacing.length}`);
  const resampled = fp.cases.map((c) =>
    c.shape_after_crop.slice(0, dims).map((n, d) => roundHalfEven((c.spacing[d]! / spacing[d]!) * n)),
  );
  const medianShape = columnPercentile(resampled, 50);
  const inputChannels = fp.channels.length;
  const numClasses = fp.num_classes;
  const convs = options.convsPerStage ?? 2;
  const ds = options.deepSupervision ?? true;
  const budget = (o.memory_budget_gb ?? 8) * 2 ** 30;

  const topologyFor = (patch: number[]): Topology => {
    if (o.pools_per_axis) {
      if (o.pools_per_axis.length !== dims)
        throw new OptionError('plan.pools_per_axis', `needs ${dims} values, got ${o.pools_per_axis.length}`);
      return topologyFromPools(patch, o.pools_per_axis);
    }
    return poolAndConvProps(spacing, patch);
  };
  const featuresFor = (t: Topology): number[] => {
    if (!o.features_per_stage) return featuresPerStage(t.poolKernelSizes.length, dims, options.baseFeatures);
    if (o.features_per_stage.length !== t.poolKernelSizes.length) {
      throw new OptionError(
        'plan.features_per_stage',
        `lists ${o.features_per_stage.length} stages but the network has ${t.poolKernelSizes.length} (pools + 1)`,
      );
    }
    return o.features_per_stage;
  };
  const bytesFor = (t: Topology) =>
    estimateActivationBytes(t.patchSize, t.poolKernelSizes, featuresFor(t), inputChannels, numClasses, convs, ds);

  let topology: Topology;
  if (o.patch_size) {
    if (o.patch_size.length !== dims)
      throw new OptionError(
        'plan.patch_size',
        `needs ${dims} values for a ${dimension} plan, got ${o.patch_size.length}`,
      );
    topology = topologyFor(o.patch_size);
    if (topology.patchSize.some((s, d) => s !== o.patch_size![d])) {
      throw new OptionError(
        'plan.patch_size',
        `[${o.patch_size.join(', ')}] must be divisible by [${topology.divisibleBy.join(', ')}] (2^pools per axis)`,
      );
    }
  } else {
    const inv = spacing.map((s) => 1 / s);
    const prod = inv.reduce((a, b) => a * b, 1);
    const volume = dims === 3 ? 256 ** 3 : 2048 ** 2;
    const initial = inv.map((x, d) =>
      Math.min(roundHalfEven(x * (volume / prod) ** (1 / dims)), Math.max(1, Math.round(medianShape[d]!))),
    );
    topology = topologyFor(initial);
    let patch = topology.patchSize;
    // Shrink the axis that is largest relative to the median shape until a batch of 2 fits.
    while (bytesFor(topology) * MIN_BATCH > budget) {
      const ratios = patch.map((p, d) => p / medianShape[d]!);
      const axis = ratios.indexOf(Math.max(...ratios));
      const tmp = [...patch];
      tmp[axis]! -= topology.divisibleBy[axis]!;
      if (tmp[axis]! < 1) break;
      const step = topologyFor(tmp).divisibleBy[axis]!;
      patch = [...patch];
      patch[axis]! -= step;
      if (patch[axis]! < 1) break;
      topology = topologyFor(patch);
      patch = topology.patchSize;
    }
  }
  const features = featuresFor(topology);
  const perSample = bytesFor(topology);
  let batch: number;
  if (o.batch_size !== undefined) batch = o.batch_size;
  else {
    const fits = Math.floor(budget / perSample);
    const datasetVoxels = medianShape.reduce((a, b) => a * b, 1) * fp.cases.length;
    const coverCap = roundHalfEven(
      (datasetVoxels * (o.max_batch_dataset_fraction ?? 0.05)) / topology.patchSize.reduce((a, b) => a * b, 1),
    );
    batch = Math.max(Math.min(fits, coverCap), MIN_BATCH);
  }

  const normalization = o.normalization ?? fp.channels.map((name) => schemeForChannel(name.replace(/:\d+$/, '')));
  if (normalization.length !== inputChannels)
    throw new OptionError(
      'plan.normalization',
      `lists ${normalization.length} schemes for ${inputChannels} channels (${fp.channels.join(', ')})`,
    );
  const maskForNorm =
    o.use_mask_for_norm ?? normalization.map((s) => s === 'zscore' && fp.median_relative_size_after_crop < 0.75);
  if (maskForNorm.length !== inputChannels)
    throw new OptionError('plan.use_mask_for_norm', `lists ${maskForNorm.length} values for ${inputChannels} channels`);

  return planSchema.parse({
    dataset: fp.dataset,
    dimension,
    axis_order: 'ijk',
    channels: fp.channels,
    num_classes: numClasses,
    target_spacing: spacing,
    original_median_spacing: originalMedianSpacing,
    median_shape: medianShape,
    patch_size: topology.patchSize,
    batch_size: batch,
    pools_per_axis: topology.poolsPerAxis,
    pool_kernel_sizes: topology.poolKernelSizes,
    conv_kernel_sizes: topology.convKernelSizes,
    features_per_stage: features,
    normalization,
    use_mask_for_norm: maskForNorm,
    foreground_intensity: fp.foreground_intensity,
    memory: { budget_bytes: budget, estimated_bytes_per_sample: perSample },
    overridden,
  });
}

/** A few lines for people: what was decided and from what. */
export function formatPlan(plan: Plan): string {
  const list = (xs: readonly number[], digits = 3) => xs.map((x) => +x.toFixed(digits)).join(' × ');
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  return [
    `plan for ${plan.dataset} (${plan.dimension}, ${plan.channels.length} channel(s): ${plan.channels.join(', ')}; ${plan.num_classes} classes; axes i, j${plan.dimension === '3d' ? ', k' : ''})`,
    `  target spacing     ${list(plan.target_spacing)} mm (median ${list(plan.original_median_spacing)})`,
    `  median shape       ${list(plan.median_shape, 1)} voxels at the target spacing`,
    `  patch size         ${list(plan.patch_size)}`,
    `  batch size         ${plan.batch_size} (≈ ${gib(plan.memory.estimated_bytes_per_sample * plan.batch_size)} of activations, budget ${gib(plan.memory.budget_bytes)})`,
    `  pools per axis     ${plan.pools_per_axis.join(', ')} (${plan.pool_kernel_sizes.length} stages)`,
    `  features per stage ${plan.features_per_stage.join(', ')}`,
    `  normalisation      ${plan.normalization.map((s, c) => `${plan.channels[c]}: ${s}${plan.use_mask_for_norm[c] ? ' (in non-zero mask)' : ''}`).join('; ')}`,
    ...(plan.overridden.length ? [`  set by the config  ${plan.overridden.join(', ')}`] : []),
  ].join('\n');
}

/** Writes a plan as JSON, atomically. */
export function savePlan(path: string, plan: Plan): void {
  writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

/**
 * Reads a plan written by `savePlan` and validates it against `planSchema`.
 * @throws FileFormatError naming the file when it is unreadable, not JSON or not a valid plan
 */
export function loadPlan(path: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileFormatError(path, `cannot read the plan (${(err as Error).message})`);
  }
  const r = planSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new FileFormatError(path, `not a valid plan: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return r.data;
}

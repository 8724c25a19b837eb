/**
 * The training configuration: one JSON or YAML file, validated strictly (an unknown key is an error
 * that names its path), with nnU-Net's defaults for everything left out. Keys are snake_case, like
 * nnU-Net's plans. Relative paths (dataset.root, output) resolve against the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FileFormatError, OptionError } from '../util/errors.js';

const positiveInt = z.number().int().positive();
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, 'lower bound above upper bound');
const probability = z.number().min(0).max(1);

const folderSpec = z.strictObject({
  dir: z.string().min(1),
  pattern: z.string().optional(),
  recursive: z.boolean().optional(),
});
const caseSet = z.strictObject({
  images: z.union([folderSpec, z.array(folderSpec).min(1)]),
  labels: folderSpec.optional(),
  roi: folderSpec.optional(),
});

export const datasetSchema = z
  .strictObject({
    /** 'msd': dataset.json + imagesTr/labelsTr/imagesTs in `root`; 'folders': matched image/label/ROI folders. */
    layout: z.enum(['msd', 'folders']),
    root: z.string().min(1),
    name: z.string().optional(),
    images: z.union([folderSpec, z.array(folderSpec).min(1)]).optional(),
    labels: folderSpec.optional(),
    roi: folderSpec.optional(),
    test: caseSet.optional(),
    /** {name: value}; required for 'folders', overrides dataset.json for 'msd'. */
    classes: z.record(z.string(), z.number().int().nonnegative()).optional(),
    /** Channel names (drive the normalisation: 'CT' → CT scheme, else z-score); one per image file. */
    channels: z.array(z.string()).min(1).optional(),
    /** Raw label value → class value, applied before checking labels (e.g. {"2": 1, "4": 1}). */
    label_remap: z
      .record(z.string().regex(/^\d+$/, 'keys must be label values'), z.number().int().nonnegative())
      .optional(),
  })
  .superRefine((d, ctx) => {
    if (d.layout === 'folders') {
      if (!d.images) ctx.addIssue({ code: 'custom', path: ['images'], message: "required when layout is 'folders'" });
      if (!d.labels) ctx.addIssue({ code: 'custom', path: ['labels'], message: "required when layout is 'folders'" });
      if (!d.classes)
        ctx.addIssue({
          code: 'custom',
          path: ['classes'],
          message: "required when layout is 'folders' (e.g. {background: 0, vessel: 1})",
        });
    }
  });

const normalization = z.enum(['ct', 'zscore', 'rgb_to_0_1', 'rescale_to_0_1', 'none']);

/** Any field of the automatic plan can be fixed here; see src/data/plan.ts for their meaning. */
export const planOverridesSchema = z.strictObject({
  dimension: z.enum(['2d', '3d']).optional(),
  target_spacing: z.array(z.number().positive()).min(2).max(3).optional(),
  patch_size: z.array(positiveInt).min(2).max(3).optional(),
  batch_size: positiveInt.optional(),
  pools_per_axis: z.array(z.number().int().nonnegative()).min(2).max(3).optional(),
  features_per_stage: z.array(positiveInt).min(1).optional(),
  normalization: z.array(normalization).min(1).optional(),
  use_mask_for_norm: z.array(z.boolean()).min(1).optional(),
  /** Memory the plan may use for one training step's activations (GiB). */
  memory_budget_gb: z.number().positive().default(8),
  /** Fraction of the dataset's voxels one batch may cover at most (nnU-Net: 5 %). */
  max_batch_dataset_fraction: z.number().positive().max(1).default(0.05),
});

const aug = <T extends z.ZodRawShape>(p: number, extra: T) =>
  z.strictObject({ p: probability.default(p), ...extra }).prefault({} as never);

/** nnU-Net's default augmentation pipeline, in its order, with its probabilities and ranges. */
export const augmentationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Degrees; null means nnU-Net's default for the dimension (2D ±180°, 3D ±30°). */
  rotation: aug(0.2, { angle_deg: range.nullable().default(null) }),
  scaling: aug(0.2, { range: range.default([0.7, 1.4]) }),
  elastic: aug(0, { alpha: range.default([0, 200]), sigma: range.default([9, 13]) }),
  grid_distortion: aug(0, { num_steps: positiveInt.default(5), distort_limit: range.default([-0.3, 0.3]) }),
  gaussian_noise: aug(0.1, { variance: range.default([0, 0.1]) }),
  gaussian_blur: aug(0.2, { sigma: range.default([0.5, 1]) }),
  brightness: aug(0.15, { range: range.default([0.75, 1.25]) }),
  contrast: aug(0.15, { range: range.default([0.75, 1.25]) }),
  low_resolution: aug(0.25, { zoom: range.default([0.5, 1]) }),
  gamma_inverted: aug(0.1, { range: range.default([0.7, 1.5]) }),
  gamma: aug(0.3, { range: range.default([0.7, 1.5]) }),
  /** Per-axis flip probability; axes null = all spatial axes. */
  mirror: aug(0.5, { axes: z.array(z.number().int().nonnegative()).nullable().default(null) }),
  rot90: aug(0, {}),
});

/** Optimizer, schedule and early stopping: the same keys for every task. */
export const optimizerSchema = z
  .strictObject({
    name: z.enum(['sgd', 'adam', 'adamw']).default('sgd'),
    lr: z.number().positive().default(1e-2),
    momentum: z.number().min(0).max(1).default(0.99),
    nesterov: z.boolean().default(true),
    weight_decay: z.number().nonnegative().default(3e-5),
    betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]),
    eps: z.number().positive().default(1e-8),
  })
  .prefault({});

export const scheduleSchema = z
  .strictObject({
    name: z.enum(['poly', 'cosine', 'constant', 'step']).default('poly'),
    power: z.number().positive().default(0.9),
    warmup_epochs: z.number().int().nonnegative().default(0),
    min_lr: z.number().nonnegative().default(0),
    /** 'step': epochs after which the rate is multiplied by gamma (MedMNIST: 50 and 75 of 100). */
    milestones: z.array(positiveInt).default([]),
    gamma: z.number().positive().max(1).default(0.1),
  })
  .prefault({});

export const earlyStoppingSchema = z
  .strictObject({
    /** Validations without improvement before stopping; 0 = never stop early. */
    patience: z.number().int().nonnegative().default(0),
    min_delta: z.number().nonnegative().default(0),
  })
  .prefault({});

export const deviceSchema = z
  .string()
  .regex(/^(auto|cpu|cuda(:\d+)?)$/, "must be 'auto', 'cpu', 'cuda' or 'cuda:N'")
  .default('auto');

export const configSchema = z.strictObject({
  /** The task (default segmentation); other tasks have their own schemas (see tasks.ts). */
  task: z.literal('segmentation').optional(),
  dataset: datasetSchema,
  plan: planOverridesSchema.prefault({}),
  network: z
    .strictObject({
      /** 'unet': nnU-Net's plain U-Net; 'classic_unet': Ronneberger et al. 2015 preset (64 features, batch norm off, ReLU). */
      architecture: z.enum(['unet', 'classic_unet']).default('unet'),
      /** Spatial dimensions; null = from the plan. */
      dims: z
        .union([z.literal(2), z.literal(3)])
        .nullable()
        .default(null),
      /** Features per stage; null = from the plan (32 doubling, cap 320 in 3D / 512 in 2D). */
      features: z.array(positiveInt).min(1).nullable().default(null),
      /** Stages (resolutions); null = from the plan. */
      depth: positiveInt.nullable().default(null),
      convs_per_stage: positiveInt.default(2),
      norm: z.enum(['instance', 'batch']).default('instance'),
      activation: z.enum(['leakyrelu', 'relu']).default('leakyrelu'),
      negative_slope: z.number().min(0).default(0.01),
      residual: z.boolean().default(false),
      deep_supervision: z.boolean().default(true),
      attention: z.boolean().default(false),
      /** decoder up-sampling: transposed convolution, or nearest resize + convolution (browser-safe ONNX) */
      upsampling: z.enum(['transposed', 'resize_conv']).default('transposed'),
      dropout: z.number().min(0).max(1).default(0),
    })
    .prefault({}),
  loss: z
    .strictObject({
      name: z.enum(['dice_ce', 'dice', 'ce', 'focal', 'tversky', 'generalized_dice']).default('dice_ce'),
      include_background: z.boolean().default(false),
      batch_dice: z.boolean().default(false),
      smooth: z.number().nonnegative().default(1e-5),
      dice_weight: z.number().nonnegative().default(1),
      ce_weight: z.number().nonnegative().default(1),
      focal_gamma: z.number().nonnegative().default(2),
      focal_alpha: z.number().min(0).max(1).nullable().default(null),
      tversky_alpha: z.number().nonnegative().default(0.3),
      tversky_beta: z.number().nonnegative().default(0.7),
    })
    .prefault({}),
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
  epochs: positiveInt.default(1000),
  iterations_per_epoch: positiveInt.default(250),
  /** null = from the plan. */
  batch_size: positiveInt.nullable().default(null),
  patch_size: z.array(positiveInt).min(2).max(3).nullable().default(null),
  augmentation: augmentationSchema.prefault({}),
  sampling: z
    .strictObject({
      /** Fraction of each batch forced to contain foreground (nnU-Net: 1/3). */
      foreground_fraction: probability.default(0.33),
    })
    .prefault({}),
  validation: z
    .strictObject({
      every: positiveInt.default(50),
      folds: z.number().int().min(2).default(5),
      /** Which fold to hold out; 'all' trains on every case without validation. */
      fold: z.union([z.number().int().nonnegative(), z.literal('all')]).default(0),
      split_seed: z.number().int().nonnegative().default(12345),
      /** Explicit validation case ids (the rest train); overrides folds/fold. */
      val_cases: z.array(z.string().min(1)).min(1).nullable().default(null),
      /**
       * Leave a case out of a class's validation Dice mean when the class is absent from both its label
       * and its prediction (nnU-Net's online validation); false counts such cases as Dice 1, as `evaluate` does.
       */
      exclude_both_empty: z.boolean().default(false),
    })
    .prefault({}),
  early_stopping: earlyStoppingSchema,
  inference: z
    .strictObject({
      overlap: z.number().min(0).max(0.95).default(0.5),
      gaussian: z.boolean().default(true),
      mirror: z.boolean().default(true),
      keep_largest: z.boolean().default(false),
      remove_small: z.number().nonnegative().default(0),
      fill_holes: z.boolean().default(false),
    })
    .prefault({}),
  seed: z.number().int().nonnegative().default(0),
  device: deviceSchema,
  /** libtorch threads of the training step; null = the cores left after the batch loader's workers (at least 1). */
  threads: positiveInt.nullable().default(null),
  output: z.string().min(1).default('runs'),
});

export type TrainingConfig = z.infer<typeof configSchema>;
export type DatasetConfig = z.infer<typeof datasetSchema>;
export type PlanOverrides = z.infer<typeof planOverridesSchema>;
export type FolderSpecConfig = z.infer<typeof folderSpec>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/** One line per problem: `key.path: what is wrong`. */
export function formatIssues(error: z.ZodError, input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const at = joinPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) lines.push(`${joinPath([...issue.path, key])}: unknown key`);
        break;
      case 'invalid_type': {
        const got = valueAt(input, issue.path);
        lines.push(
          got === undefined
            ? `${at}: required (expected ${issue.expected})`
            : `${at}: expected ${issue.expected}, got ${describe(got)}`,
        );
        break;
      }
      case 'invalid_value':
        lines.push(
          `${at}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(input, issue.path))}`,
        );
        break;
      case 'invalid_union': {
        const got = valueAt(input, issue.path);
        lines.push(`${at}: ${got === undefined ? 'required' : `invalid value ${JSON.stringify(got)}`}`);
        break;
      }
      default:
        lines.push(`${at}: ${issue.message}`);
    }
  }
  return lines;
}

/** Validates a parsed config object; `source` names the file in errors. */
export function parseConfig(input: unknown, source = 'config'): TrainingConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = formatIssues(result.error, input);
    throw new OptionError(source, lines.join('; '));
  }
  return result.data;
}

/** Reads and parses a config file (JSON or YAML by extension; YAML also reads JSON) into a plain object. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileFormatError(
      path,
      `cannot read the config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new FileFormatError(
      path,
      `not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new FileFormatError(path, 'the config must be a mapping of keys to values');
  }
  return (raw ?? {}) as Record<string, unknown>;
}

/** Reads, parses and validates a segmentation config file, resolving relative paths. */
export function loadConfig(path: string): TrainingConfig {
  return resolveConfigPaths(parseConfig(readConfigFile(path), path), dirname(resolve(path)));
}

/** The config with dataset.root and output resolved against `base` (the config file's folder). */
export function resolveConfigPaths(config: TrainingConfig, base: string): TrainingConfig {
  config.dataset.root = resolve(base, config.dataset.root);
  config.output = resolve(base, config.output);
  return config;
}

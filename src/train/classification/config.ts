/**
 * The classification training config (`task: classification`): dataset, input preparation, network,
 * loss, sampling, augmentation, fine-tuning, plus the keys every task shares (optimizer, schedule,
 * epochs, validation, early stopping, seed, device). Strict like the segmentation config: an unknown
 * key is an error naming its path. Defaults follow the MedMNIST v2 protocol where it has one (Adam
 * 1e-3, batch 128, validation every epoch, model selection on validation AUC).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { OptionError } from '../../util/errors.js';
import { deviceSchema, earlyStoppingSchema, formatIssues, optimizerObject, scheduleObject } from '../config.js';

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, 'lower bound above upper bound');

export const CLASSIFIER_ARCHITECTURES = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'densenet121',
  'vgg16_bn',
  'vit_tiny',
  'vit_small',
] as const;

const aug = <T extends z.ZodRawShape>(extra: T) =>
  z.strictObject({ p: probability.default(0), ...extra }).prefault({} as never);

export const classificationAugmentationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Per-axis flip probability; axes count spatial axes in tensor order; null = the last (left–right). */
  flip: aug({ axes: z.array(z.number().int().nonnegative()).nullable().default(null) }),
  /** Rotation (degrees; 3D: about each axis), isotropic scaling, translation (fraction of the size). */
  affine: aug({
    rotation_deg: range.default([-10, 10]),
    scale: range.default([0.9, 1.1]),
    translate: range.default([-0.1, 0.1]),
  }),
  elastic: aug({ alpha: range.default([0, 200]), sigma: range.default([9, 13]) }),
  brightness: aug({ range: range.default([0.8, 1.2]) }),
  contrast: aug({ range: range.default([0.8, 1.2]) }),
  gamma: aug({ range: range.default([0.7, 1.5]) }),
  gaussian_noise: aug({ variance: range.default([0, 0.01]) }),
  gaussian_blur: aug({ sigma: range.default([0.5, 1]) }),
});

export const classificationConfigSchema = z.strictObject({
  task: z.literal('classification'),
  dataset: z.strictObject({
    format: z.enum(['folders', 'csv', 'medmnist']),
    /** Folder of class folders, CSV file or MedMNIST .npz (relative to the config's folder). */
    path: z.string().min(1),
    classes: z.array(z.string().min(1)).min(1).nullable().default(null),
    multi_label: z.boolean().default(false),
    path_column: z.string().default('path'),
    label_column: z.string().default('label'),
    label_columns: z.array(z.string()).min(1).nullable().default(null),
    label_separator: z.string().min(1).default('|'),
    subject_column: z.string().nullable().default(null),
    split_column: z.string().nullable().default(null),
  }),
  input: z.strictObject({
    /** Network input size in tensor order: [H, W] or [D, H, W]. */
    size: z.array(positiveInt).min(2).max(3),
    fit: z.enum(['resize', 'letterbox']).default('resize'),
    channels: z.enum(['keep', 'gray', 'rgb', 'green']).default('keep'),
    intensity: z
      .union([z.enum(['auto', 'minmax', 'zscore', 'none']), z.strictObject({ window: range })])
      .default('auto'),
    /** Per channel (or one for all), subtracted after scaling to [0, 1]; MedMNIST: 0.5. */
    mean: z.array(z.number()).min(1).default([0]),
    std: z.array(z.number().positive()).min(1).default([1]),
  }),
  network: z
    .strictObject({
      architecture: z.enum(CLASSIFIER_ARCHITECTURES).default('resnet18'),
      /** ResNet stem: 'imagenet' (7×7/2 + max-pool) or 'small' (3×3/1, for 28×28 inputs). */
      stem: z.enum(['imagenet', 'small']).default('imagenet'),
      norm: z.enum(['batch', 'instance', 'group']).default('batch'),
      dropout: z.number().min(0).max(0.99).default(0),
    })
    .prefault({}),
  loss: z
    .strictObject({
      /** Multi-class: cross-entropy or focal (softmax); multi-label: binary cross-entropy or focal (sigmoid). */
      name: z.enum(['ce', 'focal']).default('ce'),
      /** 'balanced': n / (K · n_k) from the training labels (scikit-learn's), or one weight per class. */
      class_weights: z.union([z.enum(['none', 'balanced']), z.array(z.number().nonnegative())]).default('none'),
      label_smoothing: z.number().min(0).max(0.5).default(0),
      focal_gamma: z.number().nonnegative().default(2),
    })
    .prefault({}),
  sampling: z
    .strictObject({
      /** Draw each batch with every class equally likely (oversampling rare classes). */
      balanced: z.boolean().default(false),
    })
    .prefault({}),
  augmentation: classificationAugmentationSchema.prefault({}),
  finetune: z
    .strictObject({
      /** A Vesalius checkpoint or a PyTorch state dict in safetensors (relative to the config's folder). */
      weights: z.string().nullable().default(null),
      /** Renames applied to the file's names before loading: {"their.prefix": "our.prefix"}. */
      name_map: z.record(z.string(), z.string()).default({}),
      /** Parameter-name prefixes kept frozen (e.g. ["conv1", "bn1", "layer1"]). */
      freeze: z.array(z.string().min(1)).default([]),
      /** LoRA adapters on linear and convolution layers; only they (and the head) train. */
      lora: z
        .strictObject({
          rank: positiveInt,
          alpha: z.number().positive().default(1),
          /** Name prefixes of the layers that get adapters (default: every conv and linear but the head). */
          targets: z.array(z.string()).nullable().default(null),
        })
        .nullable()
        .default(null),
    })
    .prefault({}),
  optimizer: optimizerObject
    .extend({
      name: z.enum(['sgd', 'adam', 'adamw']).default('adam'),
      lr: z.number().positive().default(1e-3),
      momentum: z.number().min(0).max(1).default(0.9),
      nesterov: z.boolean().default(false),
      weight_decay: z.number().nonnegative().default(0),
    })
    .prefault({}),
  schedule: scheduleObject
    .extend({ name: z.enum(['poly', 'cosine', 'constant', 'step']).default('cosine') })
    .prefault({}),
  epochs: positiveInt.default(100),
  /** null: one pass over the training samples per epoch. */
  iterations_per_epoch: positiveInt.nullable().default(null),
  batch_size: positiveInt.default(128),
  validation: z
    .strictObject({
      every: positiveInt.default(1),
      /** Model selection: 'auc' (macro one-vs-rest), 'accuracy', 'balanced_accuracy' or 'loss' (lower is better). */
      metric: z.enum(['auc', 'accuracy', 'balanced_accuracy', 'loss']).default('auc'),
      /** Without a val split in the data: k folds over subjects (or samples), this one held out. */
      folds: z.number().int().min(2).default(5),
      fold: z.union([z.number().int().nonnegative(), z.literal('all')]).default(0),
      split_seed: z.number().int().nonnegative().default(12345),
    })
    .prefault({}),
  early_stopping: earlyStoppingSchema,
  precision: z.enum(['float32', 'bfloat16']).default('float32'),
  seed: z.number().int().nonnegative().default(0),
  device: deviceSchema,
  threads: positiveInt.nullable().default(null),
  output: z.string().min(1).default('runs'),
});

export type ClassificationConfig = z.infer<typeof classificationConfigSchema>;
export type ClassificationAugmentation = z.infer<typeof classificationAugmentationSchema>;

export function parseClassificationConfig(input: unknown, source = 'config'): ClassificationConfig {
  const result = classificationConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new OptionError(source, formatIssues(result.error, input).join('; '));
  const c = result.data;
  for (const key of ['mean', 'std'] as const) {
    const n = c.input[key].length;
    if (n !== 1 && c.input.channels !== 'keep' && n !== (c.input.channels === 'rgb' ? 3 : 1))
      throw new OptionError(`${source}: input.${key}`, `has ${n} values for ${c.input.channels} channels`);
  }
  return c;
}

/** dataset.path, finetune.weights and output resolved against `base` (the config file's folder). */
export function resolveClassificationPaths(config: ClassificationConfig, base: string): ClassificationConfig {
  config.dataset.path = resolve(base, config.dataset.path);
  if (config.finetune.weights) config.finetune.weights = resolve(base, config.finetune.weights);
  config.output = resolve(base, config.output);
  return config;
}

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
import {
  cvSchema,
  deviceSchema,
  earlyStoppingSchema,
  formatIssues,
  optimizerObject,
  scheduleObject,
} from '../config.js';

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);
const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, 'lower bound above upper bound');

export const CLASSIFIER_ARCHITECTURES = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const;

const aug = <T extends z.ZodRawShape>(extra: T, what: string) =>
  z
    .strictObject({ p: probability.default(0).describe('Probability per sample (0: off).'), ...extra })
    .prefault({} as never)
    .describe(what);

export const classificationAugmentationSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('false turns every augmentation off.'),
  flip: aug(
    {
      axes: z
        .array(z.number().int().nonnegative())
        .nullable()
        .default(null)
        .describe('Spatial axes in tensor order (0 = D in 3D, H in 2D); null: the last one (left–right).'),
    },
    'Mirroring, with probability p per axis.',
  ),
  affine: aug(
    {
      rotation_deg: range.default([-10, 10]).describe('Rotation range in degrees (3D: about each axis).'),
      scale: range.default([0.9, 1.1]).describe('Isotropic scaling range.'),
      translate: range.default([-0.1, 0.1]).describe('Translation range as a fraction of the size, per axis.'),
    },
    'Random rotation, scaling and translation in one resample (bilinear, zeros outside).',
  ),
  elastic: aug(
    {
      alpha: range.default([0, 200]).describe('Deformation magnitude range (voxels²).'),
      sigma: range.default([9, 13]).describe('Smoothing range (voxels).'),
    },
    "Elastic deformation (the segmentation pipeline's), folded into the same resample.",
  ),
  brightness: aug({ range: range.default([0.8, 1.2]).describe('Multiplier range.') }, 'Multiplicative brightness.'),
  contrast: aug({ range: range.default([0.8, 1.2]).describe('Factor range.') }, 'Contrast about the mean.'),
  gamma: aug({ range: range.default([0.7, 1.5]).describe('Exponent range.') }, 'Gamma on the rescaled intensities.'),
  gaussian_noise: aug({ variance: range.default([0, 0.01]).describe('Variance range.') }, 'Additive Gaussian noise.'),
  gaussian_blur: aug({ sigma: range.default([0.5, 1]).describe('σ range (voxels).') }, 'Gaussian blur.'),
});

const segmentationCv = cvSchema.unwrap();

export const classificationCvSchema = z
  .strictObject({
    folds: z.number().int().min(2).default(5).describe('Number of folds (`vesalius cv --folds` overrides it).'),
    seed: z.number().int().nonnegative().default(12345).describe('Seed of the split.'),
    stratify_by: z
      .string()
      .min(1)
      .nullable()
      .default('label')
      .describe(
        "Balanced across the folds: 'label' (the class, or the label set when multi-label), an extra CSV column, or null.",
      ),
    // the checkpoint rule is segmentation's, word for word
    checkpoint: segmentationCv.shape.checkpoint,
    inner_val_fraction: segmentationCv.shape.inner_val_fraction,
  })
  .prefault({})
  .describe(
    "Cross-validation (`vesalius cv`): samples grouped by subject when the data gives subject ids, stratified, over every sample but the data's test split.",
  );

export const classificationConfigSchema = z.strictObject({
  task: z.literal('classification').describe('Classify whole images (and volumes).'),
  dataset: z
    .strictObject({
      format: z
        .enum(['folders', 'csv', 'medmnist'])
        .describe(
          'A folder per class (optionally under train/, val/, test/), a CSV of path + label(s), or a MedMNIST .npz.',
        ),
      path: z.string().min(1).describe("The folder, CSV file or .npz file (relative to the config's folder)."),
      classes: z
        .array(z.string().min(1))
        .min(1)
        .nullable()
        .default(null)
        .describe('Class names in index order; null: folder names, CSV labels (sorted) or 0..K−1 (MedMNIST).'),
      multi_label: z
        .boolean()
        .default(false)
        .describe('Several labels per sample (sigmoid outputs); MedMNIST: detected from the label width.'),
      path_column: z
        .string()
        .default('path')
        .describe("CSV: the image path column (';' joins a case's channel files)."),
      label_column: z
        .string()
        .default('label')
        .describe('CSV: the label column (multi-label: names joined by label_separator).'),
      label_columns: z
        .array(z.string())
        .min(1)
        .nullable()
        .default(null)
        .describe('CSV, multi-label: one 0/1 column per class instead of label_column.'),
      label_separator: z.string().min(1).default('|').describe('CSV, multi-label: separator of label names.'),
      subject_column: z
        .string()
        .nullable()
        .default(null)
        .describe('CSV: subject id column; folds keep a subject together.'),
      split_column: z.string().nullable().default(null).describe('CSV: a train/val/test column.'),
    })
    .describe('Where the samples are and what their labels mean.'),
  input: z
    .strictObject({
      size: z.array(positiveInt).min(2).max(3).describe('Network input size in tensor order: [H, W] or [D, H, W].'),
      fit: z
        .enum(['resize', 'letterbox'])
        .default('resize')
        .describe('Stretch to the size, or keep the aspect and pad with zeros.'),
      channels: z
        .enum(['keep', 'gray', 'rgb', 'green'])
        .default('keep')
        .describe(
          "Channels as they are, grey (BT.601 luma), RGB (grey repeated), or a fundus photograph's green channel.",
        ),
      intensity: z
        .union([
          z.enum(['auto', 'minmax', 'zscore', 'none']),
          z.strictObject({ window: range.describe('[low, high].') }),
        ])
        .default('auto')
        .describe(
          "To [0, 1]: 'auto' divides 8-bit images by 255 and rescales others by their range; or z-score, none, or a window.",
        ),
      mean: z
        .array(z.number())
        .min(1)
        .default([0])
        .describe('Subtracted per channel (or one for all) after scaling; MedMNIST: 0.5.'),
      std: z
        .array(z.number().positive())
        .min(1)
        .default([1])
        .describe('Divided per channel after the mean; MedMNIST: 0.5.'),
    })
    .describe('How an image becomes the network input.'),
  network: z
    .strictObject({
      architecture: z
        .enum(CLASSIFIER_ARCHITECTURES)
        .default('resnet18')
        .describe('The classifier (2D or 3D by input.size).'),
      stem: z
        .enum(['imagenet', 'small'])
        .default('imagenet')
        .describe("ResNet stem: 'imagenet' (7×7/2 conv + max-pool) or 'small' (3×3/1, MedMNIST's for 28×28)."),
      norm: z.enum(['batch', 'instance', 'group']).default('batch').describe('Normalisation layers.'),
      dropout: z.number().min(0).max(0.99).default(0).describe('Dropout before the last linear layer.'),
    })
    .prefault({})
    .describe('The classification network.'),
  loss: z
    .strictObject({
      name: z
        .enum(['ce', 'focal'])
        .default('ce')
        .describe('Cross-entropy (softmax; binary cross-entropy for multi-label) or focal loss.'),
      class_weights: z
        .union([z.enum(['none', 'balanced']), z.array(z.number().nonnegative())])
        .default('none')
        .describe("'balanced': n / (K·n_k) from the training labels (scikit-learn's), or one weight per class."),
      label_smoothing: z.number().min(0).max(0.5).default(0).describe('Label smoothing of the cross-entropy.'),
      focal_gamma: z.number().nonnegative().default(2).describe('Focusing exponent γ of the focal loss.'),
    })
    .prefault({})
    .describe('The training loss.'),
  sampling: z
    .strictObject({
      balanced: z.boolean().default(false).describe('Draw each batch with every class equally likely (oversampling).'),
    })
    .prefault({})
    .describe('How batches draw samples.'),
  augmentation: classificationAugmentationSchema
    .prefault({})
    .describe('Augmentation (every transform off unless p > 0).'),
  finetune: z
    .strictObject({
      weights: z
        .string()
        .nullable()
        .default(null)
        .describe('A Vesalius checkpoint or a PyTorch state dict in safetensors to start from.'),
      name_map: z
        .record(z.string(), z.string())
        .default({})
        .describe('Prefix renames of the file\'s names before loading: {"their.prefix": "our.prefix"}.'),
      freeze: z
        .array(z.string().min(1))
        .default([])
        .describe('Parameter-name prefixes kept frozen (e.g. conv1, layer1).'),
    })
    .prefault({})
    .describe('Fine-tuning: pretrained weights (a head of another class count is replaced), frozen layers.'),
  optimizer: optimizerObject
    .extend({
      name: z.enum(['sgd', 'adam', 'adamw']).default('adam').describe('The optimizer; MedMNIST: Adam.'),
      lr: z.number().positive().default(1e-3).describe('Initial learning rate; MedMNIST: 0.001.'),
      momentum: z.number().min(0).max(1).default(0.9).describe("Momentum of 'sgd'."),
      nesterov: z.boolean().default(false).describe("Nesterov momentum for 'sgd'."),
      weight_decay: z.number().nonnegative().default(0).describe('L2 penalty (decoupled for adamw).'),
    })
    .prefault({})
    .describe('The optimizer.'),
  schedule: scheduleObject
    .extend({
      name: z
        .enum(['poly', 'cosine', 'constant', 'step'])
        .default('cosine')
        .describe("Learning-rate schedule over all steps; MedMNIST: 'step' with milestones [50, 75]."),
    })
    .prefault({})
    .describe('The learning-rate schedule; it advances once per optimizer step.'),
  epochs: positiveInt.default(100).describe('Training epochs (MedMNIST: 100).'),
  iterations_per_epoch: positiveInt
    .nullable()
    .default(null)
    .describe('Steps per epoch; null: one pass over the training samples.'),
  batch_size: positiveInt.default(128).describe('Samples per batch (MedMNIST: 128).'),
  validation: z
    .strictObject({
      every: positiveInt.default(1).describe('Validate every this many epochs (and after the last).'),
      metric: z
        .enum(['auc', 'accuracy', 'balanced_accuracy', 'loss'])
        .default('auc')
        .describe(
          'Model selection and early stopping: macro AUC, accuracy, balanced accuracy, or the loss (lower is better).',
        ),
      folds: z
        .number()
        .int()
        .min(2)
        .default(5)
        .describe('Without a val split in the data: k folds over subjects (or samples).'),
      fold: z
        .union([z.number().int().nonnegative(), z.literal('all')])
        .default(0)
        .describe("The fold held out; 'all' trains on every sample without validation."),
      split_seed: z.number().int().nonnegative().default(12345).describe('Seed of the folds.'),
      val_samples: z
        .array(z.string().min(1))
        .min(1)
        .nullable()
        .default(null)
        .describe(
          'Explicit validation sample ids; overrides the split, folds and fold (a cross-validation fold sets it).',
        ),
      train_samples: z
        .array(z.string().min(1))
        .min(1)
        .nullable()
        .default(null)
        .describe(
          'Explicit training sample ids, with `val_samples` (samples in neither list are left out); null: every other non-test sample.',
        ),
    })
    .prefault({})
    .describe("Validation: the data's own val split when it has one (MedMNIST), else k folds."),
  early_stopping: earlyStoppingSchema,
  cv: classificationCvSchema,
  precision: z
    .enum(['float32', 'bfloat16'])
    .default('float32')
    .describe('bfloat16: forward passes under CPU autocast (convolutions and matrix products in bf16).'),
  seed: z.number().int().nonnegative().default(0).describe('Seed of weights, batch order and augmentation.'),
  device: deviceSchema,
  threads: positiveInt.nullable().default(null).describe('libtorch threads; null: every core.'),
  output: z.string().min(1).default('runs').describe("The run folder (relative to the config's folder)."),
});

export type ClassificationConfig = z.infer<typeof classificationConfigSchema>;
export type ClassificationAugmentation = z.infer<typeof classificationAugmentationSchema>;

/**
 * Validates a classification config object.
 * @throws OptionError naming `source` and every bad key's path
 */
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

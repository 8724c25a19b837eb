/**
 * The classification training config (`task: classification`): dataset, input preparation, network,
 * loss, sampling, augmentation, fine-tuning, plus the keys every task shares (optimizer, schedule,
 * epochs, validation, early stopping, seed, device). Strict like the segmentation config: an unknown
 * key is an error naming its path. Defaults follow the MedMNIST v2 protocol where it has one (Adam
 * 1e-3, batch 128, validation every epoch, model selection on validation AUC).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { CLASSIFIERS } from '../../nets/classifiers.js';
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

/** The networks `network.architecture` names (nets' registry: one list). */
export const CLASSIFIER_ARCHITECTURES = CLASSIFIERS;

const aug = <T extends z.ZodRawShape>(extra: T, what: string) =>
  z
    .strictObject({ p: probability.default(0).describe('Probability per sample (0: off).'), ...extra })
    .prefault({} as never)
    .describe(what);

const jitterArgument = (what: string) =>
  z
    .union([z.number().nonnegative(), range.refine(([lo]) => lo >= 0, 'must be non-negative')])
    .default(0)
    .describe(`${what} factor: x → [max(0, 1 − x), 1 + x], or a [low, high] range; 0: off.`);

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
      shear_deg: range
        .default([0, 0])
        .describe(
          'Shear angle range in degrees (2D: the W axis shifted in proportion to H, as torchvision shear along x; 3D: one per plane); [0, 0]: none.',
        ),
    },
    'Random rotation, scaling, shear and translation in one resample (bilinear, zeros outside).',
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
  color_jitter: aug(
    {
      brightness: jitterArgument('Brightness'),
      contrast: jitterArgument('Contrast'),
      saturation: jitterArgument('Saturation'),
      hue: z
        .union([
          z.number().min(0).max(0.5),
          range.refine(([lo, hi]) => lo >= -0.5 && hi <= 0.5, 'must lie in [-0.5, 0.5]'),
        ])
        .default(0)
        .describe('Hue shift: h → [−h, h] of the colour circle (h ≤ 0.5), or a [low, high] range; 0: off.'),
    },
    "torchvision's ColorJitter: brightness, contrast, saturation and hue factors drawn uniformly, applied in a random order (saturation and hue leave one-channel images alone).",
  ),
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
      path_columns: z
        .array(z.string().min(1))
        .min(2)
        .nullable()
        .default(null)
        .describe(
          'CSV: several image columns (one file each, one modality per column) stacked as channels in this order; network.fusion feature gives each its own encoder. Replaces path_column.',
        ),
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
      clahe: z
        .strictObject({
          tiles: z
            .tuple([positiveInt, positiveInt])
            .default([8, 8])
            .describe('Contextual regions per axis [rows, columns]; a region is ⌊size / tiles⌋ pixels.'),
          clip_limit: z
            .number()
            .min(0)
            .max(1)
            .default(0.01)
            .describe("Clip limit normalised to [0, 1] (skimage's clip_limit); 0 or 1: no clipping."),
          bins: z.number().int().min(2).max(16384).default(256).describe('Histogram bins.'),
        })
        .nullable()
        .default(null)
        .describe(
          "CLAHE (2D) as scikit-image's equalize_adapthist, after the channel conversion, at the image's own size (RGB: on the HSV value); the result lies in [0, 1]. Also applied by predict and explain.",
        ),
      histogram_match: z
        .string()
        .min(1)
        .nullable()
        .default(null)
        .describe(
          "A reference image (relative to the config's folder) whose histogram every image is matched to, per channel after the channel conversion (skimage's match_histograms); copied into the run, so predict and explain match to it too.",
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
        .describe(
          "The classifier (2D or 3D by input.size): ResNet-18…152, DenseNet-121, VGG-16 with batch norm, ViT-Tiny/Small/Base; torchvision's parameter names.",
        ),
      stem: z
        .enum(['imagenet', 'small'])
        .default('imagenet')
        .describe(
          "ResNet/DenseNet stem: 'imagenet' (7×7/2 conv + max-pool) or 'small' (3×3/1, MedMNIST's for 28×28); VGG: 'small' drops the last max-pool.",
        ),
      norm: z
        .enum(['batch', 'instance', 'group'])
        .default('batch')
        .describe('Normalisation layers of the convolutional networks (the ViT keeps its layer norms).'),
      dropout: z
        .number()
        .min(0)
        .max(0.99)
        .nullable()
        .default(null)
        .describe(
          "Dropout before the last linear layer (VGG: after each hidden linear layer); null: the network's default (0; VGG 0.5 as torchvision).",
        ),
      hidden_features: positiveInt
        .default(4096)
        .describe("VGG: width of the two hidden linear layers (torchvision's 4096, which its checkpoints need)."),
      patch_size: positiveInt
        .default(16)
        .describe(
          'ViT: patch edge in voxels (cubic in 3D); every axis of input.size must be a multiple (e.g. 4 for 28).',
        ),
      widths: z
        .tuple([positiveInt, positiveInt, positiveInt, positiveInt])
        .nullable()
        .default(null)
        .describe('ResNet channels of layer1…layer4 before expansion; null: 64, 128, 256, 512 (torchvision).'),
      fusion: z
        .enum(['input', 'feature'])
        .default('input')
        .describe(
          "Several modalities: 'input' stacks them as channels of one network; 'feature' gives each modality (CSV path_columns, else each file of a case, else each channel) its own encoder and joins their pooled features before one head.",
        ),
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
      lora: z
        .strictObject({
          rank: z.number().int().positive().default(8).describe('Rank r of every adapter.'),
          alpha: z
            .number()
            .positive()
            .default(16)
            .describe('Scaling numerator: an adapter adds (alpha / rank) · B·A to its layer.'),
          dropout: z.number().min(0).max(0.99).default(0).describe("Dropout on the adapters' input while training."),
          target: z
            .array(z.string().min(1))
            .min(1)
            .describe(
              'Layers to adapt by module name: every linear and convolution layer named so or under it (layer4, fc; `*` matches within one name part: layer*.0.conv1).',
            ),
          train_head: z
            .boolean()
            .nullable()
            .default(null)
            .describe('Also train the head (fully); null: only when it is new (another class count).'),
        })
        .nullable()
        .default(null)
        .describe(
          'LoRA adapters on finetune.weights: only the adapters (and the head when asked) train; the base, its normalisation statistics included, stays frozen. Saved apart as checkpoints/*.lora.safetensors; `vesalius finetune-merge` folds them in.',
        ),
    })
    .prefault({})
    .describe('Fine-tuning: pretrained weights (a head of another class count is replaced), frozen layers, LoRA.'),
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
  if (c.finetune.lora && !c.finetune.weights)
    throw new OptionError(`${source}: finetune.lora`, 'needs finetune.weights (the base the adapters adapt)');
  if (c.input.clahe && c.input.size.length !== 2)
    throw new OptionError(`${source}: input.clahe`, 'applies to 2D inputs (input.size has 3 axes)');
  const patch = c.network.patch_size;
  if (c.network.architecture.startsWith('vit_') && c.input.size.some((n) => n % patch !== 0))
    throw new OptionError(
      `${source}: network.patch_size`,
      `input.size [${c.input.size.join(', ')}] is not a multiple of the ViT's patch size ${patch}`,
    );
  return c;
}

/** dataset.path, input.histogram_match, finetune.weights and output resolved against `base` (the config file's folder). */
export function resolveClassificationPaths(config: ClassificationConfig, base: string): ClassificationConfig {
  config.dataset.path = resolve(base, config.dataset.path);
  if (config.input.histogram_match) config.input.histogram_match = resolve(base, config.input.histogram_match);
  if (config.finetune.weights) config.finetune.weights = resolve(base, config.finetune.weights);
  config.output = resolve(base, config.output);
  return config;
}

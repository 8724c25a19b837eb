/**
 * The configuration of a detection run (`task: detection`): the dataset in one of the detection
 * formats, how images are prepared, the detector, its matching and losses, and the sections it shares
 * with segmentation (optimizer, schedule, augmentation — the box-aware subset, validated strictly).
 */
import { z } from 'zod';
import { OptionError } from '../util/errors.js';
import {
  augmentationSchema,
  configSchema,
  deviceSchema,
  earlyStoppingSchema,
  formatIssues,
  optimizerSchema,
  scheduleSchema,
} from './config.js';

const positiveInt = z.number().int().positive();
const base = configSchema.shape;

export const detectionDatasetSchema = z.strictObject({
  format: z.enum(['voc', 'coco', 'csv', 'luna16', 'labels']),
  root: z.string().min(1),
  /** VOC: ImageSets/Main split names; COCO: annotation JSON files; CSV: CSV files (relative to root). */
  train: z.string().min(1),
  val: z.string().min(1).nullable().default(null),
  /** Class names in order (required for csv and luna16 single-class names default to ['lesion']). */
  classes: z.array(z.string().min(1)).min(1).nullable().default(null),
  /** 'warn': skip zero-size / outside boxes and clip those reaching past the border, with a warning; 'error': refuse. */
  bad_boxes: z.enum(['warn', 'error']).default('warn'),
  /** 2D or 3D boxes (csv, labels; voc/coco are 2D, luna16 3D). */
  dims: z.union([z.literal(2), z.literal(3)]).default(2),
  /** luna16 / labels / csv: folder of images (relative to root). */
  images: z.string().nullable().default(null),
  /** labels: folder of label maps (relative to root); each connected component of a label becomes a box of that class. */
  labels: z.string().nullable().default(null),
});

export const detectionConfigSchema = z.strictObject({
  task: z.literal('detection'),
  dataset: detectionDatasetSchema,
  preprocess: z
    .strictObject({
      normalization: z.enum(['ct', 'zscore', 'rgb_to_0_1', 'rescale_to_0_1', 'none']).default('zscore'),
      scale: z.union([z.number().positive(), z.array(z.number().positive()).min(2).max(3)]).default(1),
      target_spacing: z.array(z.number().positive()).min(2).max(3).nullable().default(null),
    })
    .prefault({}),
  network: z
    .strictObject({
      head: z.enum(['retinanet', 'fcos']).default('retinanet'),
      stem: z.enum(['imagenet', 'small']).default('imagenet'),
      depth: z.union([z.literal(18), z.literal(34), z.literal(50), z.literal(101), z.literal(152)]).default(18),
      widths: z.tuple([positiveInt, positiveInt, positiveInt, positiveInt]).nullable().default(null),
      returned_layers: z.array(z.number().int().min(1).max(4)).min(1).default([2, 3, 4]),
      fpn_channels: positiveInt.default(256),
      extra_levels: z.enum(['none', 'p6p7']).default('p6p7'),
      head_convs: z.number().int().nonnegative().default(4),
      head_norm: z.enum(['none', 'group']).default('none'),
      norm: z.enum(['batch', 'group', 'instance']).default('batch'),
      /** Per pyramid level; null: 32·2^level as torchvision (2D, 3 ratios × 3 scales). */
      anchor_sizes: z.array(z.array(z.number().positive()).min(1)).nullable().default(null),
      aspect_ratios: z.array(z.number().positive()).min(1).default([0.5, 1, 2]),
      /** Per level, explicit [w, h(, d)] anchor shapes in voxels (3D, anisotropic). */
      anchor_shapes: z
        .array(z.array(z.array(z.number().positive())))
        .nullable()
        .default(null),
    })
    .prefault({}),
  matching: z
    .strictObject({
      method: z.enum(['iou', 'atss']).default('iou'),
      foreground_iou: z.number().min(0).max(1).default(0.5),
      background_iou: z.number().min(0).max(1).default(0.4),
    })
    .prefault({}),
  loss: z
    .strictObject({
      box: z.enum(['l1', 'smooth_l1', 'giou']).default('l1'),
      focal_alpha: z.number().min(0).max(1).default(0.25),
      focal_gamma: z.number().nonnegative().default(2),
    })
    .prefault({}),
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
  early_stopping: earlyStoppingSchema,
  precision: z
    .enum(['float32', 'bfloat16'])
    .default('float32')
    .describe("'bfloat16': forward passes under CPU autocast."),
  epochs: positiveInt.default(50),
  iterations_per_epoch: positiveInt.default(100),
  batch_size: positiveInt.default(8),
  /** Training patch (tensor order); null: whole prepared images (they must share one size). */
  patch_size: z.array(positiveInt).min(2).max(3).nullable().default(null),
  augmentation: augmentationSchema.prefault({}),
  sampling: z
    .strictObject({
      /** Fraction of samples centred on a random box (the rest anywhere). */
      object_fraction: z.number().min(0).max(1).default(0.5),
      /** Fraction of samples drawn from images without any box (balanced sampling; when there are some). */
      empty_fraction: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
  validation: z
    .strictObject({
      every: positiveInt.default(5),
      /** The metric that picks the best checkpoint. */
      metric: z.enum(['map50', 'map', 'cpm']).default('map50'),
      /** FROC hit: IoU ≥ 0.1 (3D) / 0.5 (2D), the centre inside the box, or inside its inscribed ellipsoid (LUNA16). */
      froc_hit: z.enum(['iou', 'centre_in_box', 'centre_in_ellipsoid']).default('iou'),
    })
    .prefault({}),
  inference: z
    .strictObject({
      score_threshold: z.number().min(0).max(1).default(0.05),
      nms_threshold: z.number().min(0).max(1).default(0.5),
      detections_per_image: positiveInt.default(300),
      window: z.array(positiveInt).min(2).max(3).nullable().default(null),
      overlap: z.number().min(0).max(0.95).default(0.5),
      mirror: z.boolean().default(false),
      merge: z.enum(['wbf', 'nms']).default('wbf'),
      merge_iou: z.number().min(0).max(1).default(0.55),
    })
    .prefault({}),
  seed: base.seed,
  device: deviceSchema,
  threads: base.threads,
  output: base.output,
});

export type DetectionConfig = z.infer<typeof detectionConfigSchema>;

export function parseDetectionConfig(input: unknown, source = 'config'): DetectionConfig {
  const result = detectionConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new OptionError(source, formatIssues(result.error, input).join('; '));
  const c = result.data;
  const a = c.augmentation;
  if (a.enabled && (a.elastic.p > 0 || a.grid_distortion.p > 0))
    throw new OptionError(
      source,
      'augmentation.elastic / grid_distortion: boxes cannot follow deformations; set their p to 0',
    );
  return c;
}

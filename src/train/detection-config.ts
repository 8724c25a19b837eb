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

export const detectionDatasetSchema = z
  .strictObject({
    format: z
      .enum(['voc', 'coco', 'csv', 'luna16', 'labels'])
      .describe(
        "Annotation format: Pascal VOC folder, COCO JSON, CSV (path, x1, y1, x2, y2[, z1, z2], class), LUNA16 (world centre + diameter), or boxes from label maps' connected components.",
      ),
    root: z.string().min(1).describe('Dataset folder (relative to the config file).'),
    train: z
      .string()
      .min(1)
      .describe(
        "The training set: a VOC split name (ImageSets/Main/NAME.txt), a COCO / CSV / LUNA16 annotation file, or case ids for 'labels' ('*': all).",
      ),
    val: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('The validation set, in the same form as `train`; null: none.'),
    classes: z
      .array(z.string().min(1))
      .min(1)
      .nullable()
      .default(null)
      .describe("Class names in order; null: those of the annotations (sorted). 'labels': value 1 is the first."),
    bad_boxes: z
      .enum(['warn', 'error'])
      .default('warn')
      .describe(
        "'warn': zero-size, inverted or outside boxes are skipped and boxes past the border clipped, each with a warning naming the file; 'error': refuse them.",
      ),
    dims: z
      .union([z.literal(2), z.literal(3)])
      .default(2)
      .describe('2D or 3D boxes (VOC and COCO are 2D, LUNA16 3D).'),
    images: z
      .string()
      .nullable()
      .default(null)
      .describe("Folder of the images (COCO: relative to root; LUNA16: to the annotation file's folder; 'labels')."),
    labels: z.string().nullable().default(null).describe("'labels': folder of the label maps."),
  })
  .describe('Where the images and their boxes are.');

export const detectionConfigSchema = z.strictObject({
  task: z.literal('detection').describe('Detection: boxes with classes and scores.'),
  dataset: detectionDatasetSchema,
  preprocess: z
    .strictObject({
      normalization: z
        .enum(['ct', 'zscore', 'rgb_to_0_1', 'rescale_to_0_1', 'none'])
        .default('zscore')
        .describe('Intensity normalisation per channel (data/normalize.ts).'),
      scale: z
        .union([z.number().positive(), z.array(z.number().positive()).min(2).max(3)])
        .default(1)
        .describe('Resize factor (one, or one per image axis); boxes are scaled with the image.'),
      target_spacing: z
        .array(z.number().positive())
        .min(2)
        .max(3)
        .nullable()
        .default(null)
        .describe('Or: resample to this spacing (mm, image order).'),
    })
    .prefault({})
    .describe('How images are prepared for the network.'),
  network: z
    .strictObject({
      head: z
        .enum(['retinanet', 'fcos'])
        .default('retinanet')
        .describe('RetinaNet (anchors) or FCOS (anchor-free, centre-ness).'),
      stem: z
        .enum(['imagenet', 'small'])
        .default('imagenet')
        .describe("ResNet stem: 'imagenet' (7×7/2 + max-pool) or 'small' (3×3/1)."),
      depth: z
        .union([z.literal(18), z.literal(34), z.literal(50), z.literal(101), z.literal(152)])
        .default(18)
        .describe('ResNet depth of the backbone.'),
      widths: z
        .tuple([positiveInt, positiveInt, positiveInt, positiveInt])
        .nullable()
        .default(null)
        .describe('Channels of layer1…layer4; null: 64, 128, 256, 512.'),
      returned_layers: z
        .array(z.number().int().min(1).max(4))
        .min(1)
        .default([2, 3, 4])
        .describe('Backbone stages feeding the pyramid (torchvision: 2, 3, 4 → P3–P5).'),
      fpn_channels: positiveInt.default(256).describe('Channels of the feature pyramid and heads.'),
      extra_levels: z.enum(['none', 'p6p7']).default('p6p7').describe("RetinaNet's P6/P7 levels, or none."),
      head_convs: z.number().int().nonnegative().default(4).describe('3×3 conv blocks in each head (torchvision: 4).'),
      head_norm: z.enum(['none', 'group']).default('none').describe("RetinaNet head normalisation ('group': v2)."),
      norm: z.enum(['batch', 'group', 'instance']).default('batch').describe('Backbone normalisation.'),
      anchor_sizes: z
        .array(z.array(z.number().positive()).min(1))
        .nullable()
        .default(null)
        .describe('Anchor sizes per pyramid level (voxels); null: 32·2^level.'),
      aspect_ratios: z
        .array(z.number().positive())
        .min(1)
        .default([0.5, 1, 2])
        .describe('Anchor height / width ratios (2D).'),
      anchor_shapes: z
        .array(z.array(z.array(z.number().positive())))
        .nullable()
        .default(null)
        .describe(
          'Per level, explicit [w, h(, d)] anchor shapes in voxels (anisotropic 3D); replaces sizes and ratios.',
        ),
    })
    .prefault({})
    .describe('The detector: ResNet + feature pyramid + head.'),
  matching: z
    .strictObject({
      method: z.enum(['iou', 'atss']).default('iou').describe('Anchor assignment: IoU thresholds or ATSS.'),
      foreground_iou: z.number().min(0).max(1).default(0.5).describe("'iou': IoU that makes an anchor positive."),
      background_iou: z.number().min(0).max(1).default(0.4).describe("'iou': IoU below which an anchor is background."),
    })
    .prefault({})
    .describe('Which anchors learn which boxes (RetinaNet).'),
  loss: z
    .strictObject({
      box: z
        .enum(['l1', 'smooth_l1', 'giou'])
        .default('l1')
        .describe("Box loss of RetinaNet ('l1' as torchvision); FCOS always uses GIoU."),
      focal_alpha: z.number().min(0).max(1).default(0.25).describe('Focal loss α.'),
      focal_gamma: z.number().nonnegative().default(2).describe('Focal loss γ.'),
    })
    .prefault({})
    .describe('The training loss.'),
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
  early_stopping: earlyStoppingSchema,
  precision: z
    .enum(['float32', 'bfloat16'])
    .default('float32')
    .describe("'bfloat16': forward passes under CPU autocast."),
  epochs: positiveInt.default(50).describe('Epochs of training.'),
  iterations_per_epoch: positiveInt.default(100).describe('Optimizer steps per epoch.'),
  batch_size: positiveInt.default(8).describe('Samples per batch.'),
  patch_size: z
    .array(positiveInt)
    .min(2)
    .max(3)
    .nullable()
    .default(null)
    .describe('Training patch (tensor order); null: whole prepared images (they must share one size).'),
  augmentation: augmentationSchema
    .prefault({})
    .describe('The segmentation augmentation, box-aware: elastic and grid deformations must stay off.'),
  sampling: z
    .strictObject({
      object_fraction: z.number().min(0).max(1).default(0.5).describe('Share of samples centred on a random box.'),
      balance_classes: z
        .boolean()
        .default(true)
        .describe(
          'Object-centred samples pick a class uniformly, then one of its boxes (rare classes seen as often as common ones); false: a random box of a random image.',
        ),
      empty_fraction: z
        .number()
        .min(0)
        .max(1)
        .default(0.2)
        .describe('Share of samples from images without boxes (balanced sampling), when there are such.'),
    })
    .prefault({})
    .describe('How training samples are drawn.'),
  validation: z
    .strictObject({
      every: positiveInt.default(5).describe('Validate every N epochs (and after the last).'),
      metric: z
        .enum(['map50', 'map', 'cpm'])
        .default('map50')
        .describe('The metric that picks the best checkpoint: mAP@0.5, mAP@[.5:.95] or the FROC CPM.'),
      froc_hit: z
        .enum(['iou', 'centre_in_box', 'centre_in_ellipsoid'])
        .default('iou')
        .describe(
          'FROC hit: IoU ≥ 0.5 (2D) / 0.1 (3D), the centre inside the box, or inside its inscribed ellipsoid (LUNA16).',
        ),
    })
    .prefault({})
    .describe('Validation on whole images.'),
  inference: z
    .strictObject({
      score_threshold: z.number().min(0).max(1).default(0.05).describe('Boxes below this score are dropped.'),
      nms_threshold: z.number().min(0).max(1).default(0.5).describe('Class-wise NMS IoU.'),
      detections_per_image: positiveInt.default(300).describe('At most this many boxes per image.'),
      window: z
        .array(positiveInt)
        .min(2)
        .max(3)
        .nullable()
        .default(null)
        .describe('Sliding-window size (tensor order); null: whole images in one pass.'),
      overlap: z.number().min(0).max(0.95).default(0.5).describe('Overlap of neighbouring windows.'),
      mirror: z.boolean().default(false).describe('Mirroring test-time augmentation.'),
      merge: z
        .enum(['wbf', 'nms'])
        .default('wbf')
        .describe('How windows and mirrored passes merge: weighted box fusion or NMS.'),
      merge_iou: z.number().min(0).max(1).default(0.55).describe('IoU of the merge.'),
    })
    .prefault({})
    .describe('Detection on whole images (validation and predict).'),
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

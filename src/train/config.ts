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
const range = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, 'lower bound above upper bound')
  .describe('[low, high]');
const probability = z.number().min(0).max(1);

const folderSpec = z
  .strictObject({
    dir: z.string().min(1).describe('The folder; a relative path resolves against `dataset.root`.'),
    pattern: z
      .string()
      .optional()
      .describe(
        'Regular expression over the file names (relative paths when `recursive`); its capture group (named `id`, else the first) is the case id. Files that do not match are ignored. Left out: the file name without its extension.',
      ),
    recursive: z
      .boolean()
      .optional()
      .describe('Also look in sub-folders, matching `pattern` against the path relative to `dir` (`/` separators).'),
  })
  .meta({
    title: 'Folder spec',
    description:
      'A folder of images or masks whose file names give the case ids (used by `layout: folders` and `dataset.test`).',
  });
const folderImages = z
  .union([folderSpec, z.array(folderSpec).min(1)])
  .describe('The image folder, or one folder per channel (files of a case are matched by case id).');
const folderLabels = folderSpec
  .optional()
  .describe('The label maps (integer class values, or values mapped by `dataset.label_remap`).');
const folderRoi = folderSpec
  .optional()
  .describe(
    "Masks of the region that counts (e.g. DRIVE's field of view): validation and `evaluate --roi` score only voxels inside it.",
  );
const caseSet = z.strictObject({
  images: folderImages,
  labels: folderLabels,
  roi: folderRoi,
});

export const datasetSchema = z
  .strictObject({
    layout: z
      .enum(['msd', 'folders'])
      .describe(
        "'msd': an MSD/nnU-Net folder (dataset.json with imagesTr, labelsTr and imagesTs) in `root`; 'folders': image, label and ROI folders matched by file-name patterns.",
      ),
    root: z
      .string()
      .min(1)
      .describe("The dataset's folder; a relative path resolves against the config file's folder."),
    name: z
      .string()
      .optional()
      .describe("The dataset's name in logs and plans; left out: dataset.json's name or the folder's."),
    images: folderImages.optional().describe("The training images; required for 'folders'."),
    labels: folderLabels.describe("The training labels; required for 'folders'."),
    roi: folderRoi,
    test: caseSet
      .optional()
      .describe(
        'Held-out test cases (`layout: folders`), predicted and evaluated after training by the commands in the README.',
      ),
    classes: z
      .record(z.string(), z.number().int().nonnegative())
      .optional()
      .describe(
        "Class name → label value, e.g. `{background: 0, vessel: 1}`; required for 'folders', overrides dataset.json's labels for 'msd'.",
      ),
    channels: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "Channel names, one per image file of a case; they choose the normalisation ('CT' → the CT scheme, else z-score). Left out: dataset.json's channel_names.",
      ),
    label_remap: z
      .record(z.string().regex(/^\d+$/, 'keys must be label values'), z.number().int().nonnegative())
      .optional()
      .describe('Raw label value → class value, applied before the labels are checked (e.g. `{"2": 1, "4": 1}`).'),
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

/** Any field of the automatic plan can be fixed here (see src/data/plan.ts for the rules that set them). */
export const planOverridesSchema = z.strictObject({
  dimension: z
    .enum(['2d', '3d'])
    .optional()
    .describe('Train on 2D slices or 3D volumes; left out: 2D when every case has one slice, else 3D.'),
  target_spacing: z
    .array(z.number().positive())
    .min(2)
    .max(3)
    .optional()
    .describe(
      'Spacing (mm, image axis order i, j[, k]) every case is resampled to; left out: the median spacing (10th percentile on a very anisotropic axis), as nnU-Net.',
    ),
  patch_size: z
    .array(positiveInt)
    .min(2)
    .max(3)
    .optional()
    .describe(
      "Training patch size (voxels, image axis order); left out: nnU-Net's rule (as large as the memory budget allows, shaped like the median case).",
    ),
  batch_size: positiveInt
    .optional()
    .describe('Patches per batch; left out: as many as fit the memory budget, at most 5 % of the dataset, at least 2.'),
  pools_per_axis: z
    .array(z.number().int().nonnegative())
    .min(2)
    .max(3)
    .optional()
    .describe(
      'Down-samplings per axis (image axis order); left out: until a feature map edge would drop below 4 voxels.',
    ),
  features_per_stage: z
    .array(positiveInt)
    .min(1)
    .optional()
    .describe('Feature channels of each U-Net stage; left out: 32 doubling per stage, capped at 320 (3D) or 512 (2D).'),
  normalization: z
    .array(normalization)
    .min(1)
    .optional()
    .describe("Intensity normalisation per channel; left out: 'ct' for channels named CT, else 'zscore'."),
  use_mask_for_norm: z
    .array(z.boolean())
    .min(1)
    .optional()
    .describe(
      'Per channel, compute the z-score over the non-zero region only; left out: when cropping to the non-zero region removed more than a quarter of the median case.',
    ),
  memory_budget_gb: z
    .number()
    .positive()
    .default(8)
    .describe("Memory (GiB) the plan may use for one training step's activations; decides patch and batch size."),
  max_batch_dataset_fraction: z
    .number()
    .positive()
    .max(1)
    .default(0.05)
    .describe("Largest fraction of the dataset's voxels one batch may cover (nnU-Net: 5 %)."),
});

const aug = <T extends z.ZodRawShape>(p: number, what: string, extra: T) =>
  z
    .strictObject({
      p: probability.default(p).describe('Probability of applying it to a training sample (0 turns it off).'),
      ...extra,
    })
    .prefault({} as never)
    .describe(what);

/** nnU-Net's default augmentation pipeline, in its order, with its probabilities and ranges. */
export const augmentationSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('false turns every augmentation off (each probability becomes 0).'),
  rotation: aug(0.2, 'Random rotation, one resample together with scaling.', {
    angle_deg: range
      .nullable()
      .default(null)
      .describe(
        "Angle range in degrees; null: nnU-Net's default for the dimension (2D ±180°, ±15° for elongated 2D patches; 3D ±30° per axis).",
      ),
  }),
  scaling: aug(0.2, 'Random zoom (one factor for all axes).', {
    range: range.default([0.7, 1.4]).describe('Range of the scale factor.'),
  }),
  elastic: aug(0, 'Elastic deformation (off by default, as in nnU-Net v2).', {
    alpha: range.default([0, 200]).describe('Deformation magnitude range (voxels, before smoothing).'),
    sigma: range.default([9, 13]).describe('Smoothing σ range of the displacement field (voxels).'),
  }),
  grid_distortion: aug(0, 'Grid distortion (off by default).', {
    num_steps: positiveInt.default(5).describe('Grid cells per axis.'),
    distort_limit: range.default([-0.3, 0.3]).describe('Range of the relative change of each cell size.'),
  }),
  gaussian_noise: aug(0.1, 'Additive Gaussian noise.', {
    variance: range.default([0, 0.1]).describe('Range the noise variance is drawn from.'),
  }),
  gaussian_blur: aug(0.2, 'Gaussian blur (each channel with probability 0.5).', {
    sigma: range.default([0.5, 1]).describe('Range of the blur σ (voxels).'),
  }),
  brightness: aug(0.15, 'Multiplicative brightness.', {
    range: range.default([0.75, 1.25]).describe('Range of the factor.'),
  }),
  contrast: aug(0.15, 'Contrast around the mean, clipped to the original range.', {
    range: range.default([0.75, 1.25]).describe('Range of the factor.'),
  }),
  low_resolution: aug(
    0.25,
    'Simulated low resolution: down-sampled and up-sampled again (each channel with probability 0.5).',
    {
      zoom: range.default([0.5, 1]).describe('Range of the down-sampling factor.'),
    },
  ),
  gamma_inverted: aug(0.1, 'Gamma on the inverted intensities (statistics retained).', {
    range: range.default([0.7, 1.5]).describe('Range of γ.'),
  }),
  gamma: aug(0.3, 'Gamma (statistics retained).', {
    range: range.default([0.7, 1.5]).describe('Range of γ.'),
  }),
  mirror: aug(0.5, 'Mirroring; the probability applies to each axis separately.', {
    axes: z
      .array(z.number().int().nonnegative())
      .nullable()
      .default(null)
      .describe('Spatial axes that may flip, in tensor order (0 = D in 3D, H in 2D); null: all.'),
  }),
  rot90: aug(0, 'Quarter turns in a plane of two spatial axes, exact (off by default).', {}),
});

/** Optimizer, schedule and early stopping: the same keys for every task. */
export const optimizerObject = z.strictObject({
  name: z.enum(['sgd', 'adam', 'adamw']).default('sgd').describe('The optimizer; nnU-Net: SGD with Nesterov momentum.'),
  lr: z.number().positive().default(1e-2).describe('Initial learning rate.'),
  momentum: z.number().min(0).max(1).default(0.99).describe("Momentum of 'sgd'."),
  nesterov: z.boolean().default(true).describe("Nesterov momentum for 'sgd' (when momentum > 0)."),
  weight_decay: z
    .number()
    .nonnegative()
    .default(3e-5)
    .describe("L2 penalty ('sgd', 'adam') or decoupled weight decay ('adamw')."),
  betas: z
    .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
    .default([0.9, 0.999])
    .describe("Moment decay rates (β1, β2) of 'adam' and 'adamw'."),
  eps: z.number().positive().default(1e-8).describe("Denominator term of 'adam' and 'adamw'."),
  clip_grad_norm: z
    .number()
    .nonnegative()
    .default(0)
    .describe(
      'Gradients are scaled so that their joint L2 norm is at most this before each step (nnU-Net: 12); 0: no clipping.',
    ),
  ema_decay: z
    .number()
    .min(0)
    .max(1)
    .refine((d) => d < 1, 'must be below 1')
    .default(0)
    .describe(
      'Exponential moving average of the weights (YOLO, timm): 0 off, e.g. 0.999; validation and checkpoints use the average, the decay ramping up as min(d, (1 + n)/(10 + n)).',
    ),
});
export const optimizerSchema = optimizerObject.prefault({}).describe('The optimizer.');

export const scheduleObject = z.strictObject({
  name: z
    .enum(['poly', 'cosine', 'constant', 'step'])
    .default('poly')
    .describe("Learning-rate schedule over all steps (epochs × iterations_per_epoch); nnU-Net: 'poly'."),
  power: z.number().positive().default(0.9).describe("Exponent of 'poly': lr · (1 − step/steps)^power."),
  warmup_epochs: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe('Epochs of linear warm-up before the schedule starts.'),
  min_lr: z.number().nonnegative().default(0).describe("Final learning rate of 'cosine'."),
  milestones: z
    .array(positiveInt)
    .default([])
    .describe("'step': epochs after which the rate is multiplied by `gamma` (MedMNIST: 50 and 75 of 100)."),
  gamma: z.number().positive().max(1).default(0.1).describe("'step': the factor applied at each milestone."),
});
export const scheduleSchema = scheduleObject
  .prefault({})
  .describe('The learning-rate schedule; it advances once per optimizer step.');

export const earlyStoppingSchema = z
  .strictObject({
    patience: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('Validations without improvement before training stops; 0: never stop early.'),
    min_delta: z
      .number()
      .nonnegative()
      .default(0)
      .describe('An improvement must exceed the best validation metric by more than this.'),
  })
  .prefault({})
  .describe('Stopping when the validation metric stops improving.');

export const deviceSchema = z
  .string()
  .regex(/^(auto|cpu|cuda(:\d+)?)$/, "must be 'auto', 'cpu', 'cuda' or 'cuda:N'")
  .default('auto')
  .describe("Where to train: 'auto' (a GPU when the addon has one, else the CPU), 'cpu', 'cuda' or 'cuda:N'.");

const featureBank = z
  .strictObject({
    sigmas: z
      .array(z.number().positive())
      .min(1)
      .default([1, 2, 4])
      .describe('Gaussian scales in mm (voxels where the spacing is 1).'),
    channels: z
      .array(z.number().int().nonnegative())
      .min(1)
      .nullable()
      .default(null)
      .describe('Image channels the features are computed on; null: every channel.'),
    intensity: z.boolean().default(true).describe('The intensity itself.'),
    gaussian: z.boolean().default(true).describe('Gaussian-smoothed intensity at each scale.'),
    gradient: z.boolean().default(true).describe('Gradient magnitude at each scale.'),
    laplacian: z.boolean().default(true).describe('Laplacian of Gaussian at each scale.'),
    hessian: z.boolean().default(true).describe('Hessian eigenvalues at each scale.'),
    frangi: z.boolean().default(true).describe("Frangi's vesselness for bright and for dark tubes at each scale."),
  })
  .prefault({})
  .describe('The pixel/voxel feature bank of random_forest and svm.');

export const methodSchema = z
  .strictObject({
    name: z
      .enum(['network', 'otsu', 'threshold', 'random_forest', 'svm'])
      .default('network')
      .describe('What is trained: the network, or a classical baseline (segmentation only).'),
    channel: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .default(null)
      .describe('otsu/threshold: the channel thresholded; null: the mean of the channels.'),
    polarity: z
      .enum(['auto', 'bright', 'dark'])
      .default('auto')
      .describe(
        "otsu/threshold: foreground above ('bright') or below ('dark') the level; 'auto': the better on the training cases.",
      ),
    level: z
      .number()
      .nullable()
      .default(null)
      .describe(
        'threshold: a fixed level in preprocessed (normalised) intensity; null: tuned on the training cases (best mean Dice).',
      ),
    features: featureBank,
    samples: positiveInt
      .default(100000)
      .describe('random_forest/svm: training pixels, drawn class-balanced from the training cases (inside their ROI).'),
    trees: positiveInt.default(50).describe('random_forest: number of trees.'),
    max_depth: positiveInt.default(16).describe('random_forest: maximum tree depth.'),
    min_samples_leaf: positiveInt.default(5).describe('random_forest: fewest samples in a leaf.'),
    max_features: positiveInt
      .nullable()
      .default(null)
      .describe('random_forest: features tried per split; null: √(number of features).'),
    kernel: z.enum(['linear', 'rbf']).default('rbf').describe('svm: the kernel (RBF through random Fourier features).'),
    c: z.number().positive().default(1).describe('svm: the soft-margin C.'),
    gamma: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe("svm: the RBF γ on standardised features; null: 1 / number of features (scikit-learn's 'scale')."),
    rff_components: positiveInt.default(512).describe('svm: random Fourier features approximating the RBF kernel.'),
    svm_epochs: positiveInt.default(20).describe('svm: passes over the training pixels.'),
  })
  .prefault({})
  .describe(
    'The method: the network (default) or a classical baseline that runs through the same train, cv, predict and evaluate.',
  );

export const cvSchema = z
  .strictObject({
    folds: z.number().int().min(2).default(5).describe('Number of folds (`vesalius cv --folds` overrides it).'),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(12345)
      .describe("Seed of the split (nnU-Net's 12345 gives its splits when nothing is grouped or stratified)."),
    metadata: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe("A CSV with a `case` column and others (subject, site, grade ...); relative to the config's folder."),
    group_by: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe("A metadata column naming each case's subject: no subject is split across folds."),
    group_pattern: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Or a regular expression on the case id whose first group is the subject.'),
    stratify_by: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('A metadata column whose values are balanced across the folds.'),
    checkpoint: z
      .enum(['final', 'inner'])
      .default('final')
      .describe(
        "'final': each fold reports its last checkpoint (the held-out fold is validated on for the curves only); 'inner': the best checkpoint on an inner validation split of the training folds. Never one chosen on the held-out fold.",
      ),
    inner_val_fraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.2)
      .describe("'inner': the fraction of the training folds validated on."),
    probabilities: z.boolean().default(true).describe('Write the out-of-fold probability maps (ROC curves, AUC).'),
  })
  .prefault({})
  .describe('Cross-validation (`vesalius cv`): folds, grouping, stratification, which checkpoint is reported.');

export const configSchema = z.strictObject({
  task: z.literal('segmentation').optional().describe('The training task; segmentation when left out.'),
  dataset: datasetSchema.describe('Where the cases are and what their labels mean.'),
  method: methodSchema,
  cv: cvSchema,
  plan: planOverridesSchema
    .prefault({})
    .describe(
      "Fixes fields of the automatic plan (nnU-Net's rules: spacing, patch, batch, network topology, normalisation); `vesalius plan` shows the result.",
    ),
  network: z
    .strictObject({
      architecture: z
        .enum(['unet', 'classic_unet'])
        .default('unet')
        .describe(
          "'unet': nnU-Net's plain U-Net, built from the plan; 'classic_unet': Ronneberger et al. 2015 (64 features doubling, no normalisation, ReLU).",
        ),
      dims: z
        .union([z.literal(2), z.literal(3)])
        .nullable()
        .default(null)
        .describe('Spatial dimensions; null: from the plan.'),
      features: z
        .array(positiveInt)
        .min(1)
        .nullable()
        .default(null)
        .describe('Feature channels per stage; null: from the plan (32 doubling, capped at 320 in 3D and 512 in 2D).'),
      depth: positiveInt.nullable().default(null).describe('Number of stages (resolutions); null: from the plan.'),
      convs_per_stage: positiveInt
        .default(2)
        .describe('Convolution blocks (conv → norm → activation) per encoder stage.'),
      norm: z.enum(['instance', 'batch']).default('instance').describe('Normalisation after each convolution.'),
      activation: z.enum(['leakyrelu', 'relu']).default('leakyrelu').describe('Activation after each normalisation.'),
      negative_slope: z.number().min(0).default(0.01).describe('Slope of leaky ReLU below 0.'),
      residual: z
        .boolean()
        .default(false)
        .describe("Residual encoder (nnU-Net's ResidualEncoderUNet: a stem, then residual blocks per stage)."),
      deep_supervision: z
        .boolean()
        .default(true)
        .describe("Also supervise the decoder's lower resolutions, with nnU-Net's weights per level."),
      attention: z.boolean().default(false).describe('Attention gates on the skip connections (Oktay et al. 2018).'),
      upsampling: z
        .enum(['transposed', 'resize_conv'])
        .default('transposed')
        .describe(
          "Decoder up-sampling: 'transposed' (nnU-Net's transposed convolution) or 'resize_conv' (nearest resize + convolution: no transposed convolution, so a 3D export runs on onnxruntime-web's WebGPU backend).",
        ),
      dropout: z.number().min(0).max(1).default(0).describe('Dropout probability after each convolution.'),
    })
    .prefault({})
    .describe('The segmentation network.'),
  loss: z
    .strictObject({
      name: z
        .enum(['dice_ce', 'dice', 'ce', 'focal', 'tversky', 'generalized_dice'])
        .default('dice_ce')
        .describe("The loss; 'dice_ce' is nnU-Net's soft Dice + cross-entropy."),
      include_background: z.boolean().default(false).describe('Include the background class in the Dice-type terms.'),
      batch_dice: z
        .boolean()
        .default(false)
        .describe(
          'Compute Dice over the whole batch as one volume instead of per sample (nnU-Net: true for 3D full resolution).',
        ),
      smooth: z
        .number()
        .nonnegative()
        .default(1e-5)
        .describe('Added to numerator and denominator of the Dice-type terms.'),
      dice_weight: z.number().nonnegative().default(1).describe("Weight of the Dice term of 'dice_ce'."),
      ce_weight: z.number().nonnegative().default(1).describe("Weight of the cross-entropy term of 'dice_ce'."),
      focal_gamma: z.number().nonnegative().default(2).describe("Focusing exponent γ of 'focal'."),
      focal_alpha: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .default(null)
        .describe("Class-balance weight α of 'focal'; null: none."),
      tversky_alpha: z.number().nonnegative().default(0.3).describe("Weight α of false positives in 'tversky'."),
      tversky_beta: z.number().nonnegative().default(0.7).describe("Weight β of false negatives in 'tversky'."),
    })
    .prefault({})
    .describe('The training loss (wrapped for deep supervision when the network has it).'),
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
  epochs: positiveInt.default(1000).describe('Training epochs (nnU-Net: 1000).'),
  iterations_per_epoch: positiveInt.default(250).describe('Optimizer steps per epoch (nnU-Net: 250).'),
  batch_size: positiveInt
    .nullable()
    .default(null)
    .describe('Patches per batch; null: from the plan (same as `plan.batch_size`).'),
  patch_size: z
    .array(positiveInt)
    .min(2)
    .max(3)
    .nullable()
    .default(null)
    .describe('Training patch size (voxels, image axis order); null: from the plan (same as `plan.patch_size`).'),
  augmentation: augmentationSchema
    .prefault({})
    .describe("Data augmentation: nnU-Net's default pipeline, in its order; each transform has a probability `p`."),
  sampling: z
    .strictObject({
      foreground_fraction: probability
        .default(0.33)
        .describe('Fraction of each batch whose patch is forced to contain foreground (nnU-Net: 1/3).'),
    })
    .prefault({})
    .describe('How training patches are chosen.'),
  validation: z
    .strictObject({
      every: positiveInt.default(50).describe('Validate every this many epochs (and after the last).'),
      folds: z.number().int().min(2).default(5).describe('Number of cross-validation folds.'),
      fold: z
        .union([z.number().int().nonnegative(), z.literal('all')])
        .default(0)
        .describe("The fold held out for validation; 'all' trains on every case without validation."),
      split_seed: z
        .number()
        .int()
        .nonnegative()
        .default(12345)
        .describe("Seed of the k-fold split over sorted case ids (nnU-Net's 12345 gives its splits)."),
      val_cases: z
        .array(z.string().min(1))
        .min(1)
        .nullable()
        .default(null)
        .describe('Explicit validation case ids (the rest train); overrides `folds` and `fold`.'),
      train_cases: z
        .array(z.string().min(1))
        .min(1)
        .nullable()
        .default(null)
        .describe(
          'Explicit training case ids, with `val_cases`: cases in neither list are left out (a cross-validation fold leaves out its held-out cases this way while it validates on an inner split).',
        ),
      exclude_both_empty: z
        .boolean()
        .default(false)
        .describe(
          "Leave a case out of a class's validation Dice mean when the class is absent from both its label and its prediction (nnU-Net's online validation); false counts such cases as Dice 1, as `evaluate` does.",
        ),
    })
    .prefault({})
    .describe(
      'Validation during training: the split, and how often the held-out cases are predicted and scored (mean Dice picks the best checkpoint).',
    ),
  early_stopping: earlyStoppingSchema,
  inference: z
    .strictObject({
      overlap: z
        .number()
        .min(0)
        .max(0.95)
        .default(0.5)
        .describe('Overlap of neighbouring sliding windows during validation (fraction of the patch).'),
      gaussian: z
        .boolean()
        .default(true)
        .describe('Weight each window by a Gaussian centred on it (nnU-Net) during validation.'),
      mirror: z
        .boolean()
        .default(true)
        .describe(
          'Mirroring test-time augmentation: `cv` predicts the held-out folds with it; validation does not mirror, and `predict` mirrors unless `--no-tta`.',
        ),
      keep_largest: z.boolean().default(false).describe("`predict` keeps each class's largest connected component."),
      remove_small: z
        .number()
        .nonnegative()
        .default(0)
        .describe('`predict` removes connected components smaller than this many voxels.'),
      fill_holes: z.boolean().default(false).describe('`predict` fills holes in each class.'),
    })
    .prefault({})
    .describe(
      'Sliding-window inference during validation, and the post-processing `vesalius predict` applies with this run unless `--postprocess` is given.',
    ),
  seed: z.number().int().nonnegative().default(0).describe('Seed of initialisation, sampling and augmentation.'),
  device: deviceSchema,
  threads: positiveInt
    .nullable()
    .default(null)
    .describe(
      "libtorch threads of the training step; null: the cores left after the batch loader's workers (at least 1).",
    ),
  output: z
    .string()
    .min(1)
    .default('runs')
    .describe("The run folder (config, plan, splits, log, checkpoints); relative to the config file's folder."),
});

export type TrainingConfig = z.infer<typeof configSchema>;
export type DatasetConfig = z.infer<typeof datasetSchema>;
export type PlanOverrides = z.infer<typeof planOverridesSchema>;
export type MethodConfig = z.infer<typeof methodSchema>;
export type CvConfig = z.infer<typeof cvSchema>;
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

/**
 * Validates a parsed segmentation config object and fills in the defaults (docs/config.md).
 * @param input the parsed YAML/JSON
 * @param source names the file in errors
 * @throws OptionError naming `source` with one `key.path: problem` per invalid or unknown key
 *
 * @example
 * ```ts
 * const config = parseConfig({ dataset: { layout: 'msd', root: 'Task04_Hippocampus' }, epochs: 50 });
 * console.log(config.optimizer.lr); // 0.01, nnU-Net's default
 * ```
 */
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

/**
 * Reads, parses (JSON or YAML by extension; YAML also reads JSON) and validates a segmentation config
 * file, resolving relative paths (`dataset.root`, `output`) against the file's folder.
 * @throws FileFormatError naming the file when it cannot be read or parsed; OptionError naming the file
 *   and each invalid key
 *
 * @example
 * ```ts
 * import { loadConfig } from 'vesalius/train';
 * const config = loadConfig('examples/drive.yaml');
 * console.log(config.dataset.root, config.epochs);
 * ```
 */
export function loadConfig(path: string): TrainingConfig {
  return resolveConfigPaths(parseConfig(readConfigFile(path), path), dirname(resolve(path)));
}

/** The config with dataset.root and output resolved against `base` (the config file's folder). */
export function resolveConfigPaths(config: TrainingConfig, base: string): TrainingConfig {
  config.dataset.root = resolve(base, config.dataset.root);
  config.output = resolve(base, config.output);
  if (config.cv.metadata !== null) config.cv.metadata = resolve(base, config.cv.metadata);
  return config;
}

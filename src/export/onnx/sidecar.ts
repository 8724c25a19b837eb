/**
 * The pipeline sidecar written beside an exported model (`model.onnx.json`): everything needed to use
 * the network correctly without Vesalius — what the input is (channels and their order, layout,
 * what each spatial edge must be divisible by), how an image becomes that input (target spacing,
 * cropping, normalisation per channel with its statistics), how to run it (patch, overlap, Gaussian
 * weighting, mirroring axes), what the output is (classes and their label values) and what to do
 * with it (softmax, argmax, post-processing). The plan and dataset info are included whole, so
 * `vesalius predict model.onnx` rebuilds the exact pipeline from them.
 */
import type { Plan } from '../../data/plan.js';
import type { DatasetInfo } from '../../train/run-folder.js';
import type { TrainingConfig } from '../../train/config.js';

export const SIDECAR_FORMAT = 'vesalius-onnx-pipeline-1';

export interface Parity {
  runtime: string;
  input_shape: number[];
  /** Against the engine's logits (float export) or the int8 runtime's (QDQ export). */
  max_abs_difference: number;
  max_abs_logit: number;
  /** QDQ export only: against the float network's logits. */
  max_abs_difference_vs_float?: number;
}

export interface PipelineSidecar {
  format: typeof SIDECAR_FORMAT;
  model: string;
  opset: number;
  precision: 'float32' | 'int8-qdq';
  browser_safe: { requested: boolean; ok: boolean; problems: string[] };
  input: {
    name: string;
    layout: string;
    channels: string[];
    dtype: 'float32';
    /** Tensor order ([D,] H, W): each spatial edge must be a multiple of these. */
    divisible_by: number[];
  };
  output: {
    name: string;
    layout: string;
    classes: Array<{ name: string; value: number }>;
    meaning: string;
  };
  preprocessing: {
    axis_order: string;
    target_spacing_mm: number[];
    crop: string;
    resampling: string;
    normalization: Array<{ channel: string; scheme: string; description: string; statistics?: object }>;
  };
  inference: {
    patch_size: number[];
    patch_size_image_order: number[];
    overlap: number;
    gaussian_weighting: { enabled: boolean; sigma_fraction_of_patch: number };
    mirroring_axes: number[];
    two_d_on_volumes: string | null;
  };
  postprocessing: {
    argmax: string;
    keep_largest_component: boolean;
    remove_components_smaller_than: number;
    fill_holes: boolean;
    restore: string;
  };
  parity?: Parity;
  plan: Plan;
  dataset: DatasetInfo;
}

const NORMALIZATION: Record<string, string> = {
  ct: 'clip to the dataset foreground [0.5, 99.5] percentiles, then (x - mean) / std with the dataset foreground statistics',
  zscore: 'per image: (x - mean) / std of this image (only inside the nonzero mask when use_mask_for_norm, 0 outside)',
  rgb_to_0_1: 'x / 255',
  rescale_to_0_1: 'per image: (x - min) / (max - min)',
  none: 'none (cast to float32)',
};

export function pipelineSidecar(o: {
  modelFile: string;
  opset: number;
  precision: PipelineSidecar['precision'];
  plan: Plan;
  datasetInfo: DatasetInfo;
  inference?: TrainingConfig['inference'];
  divisor: number[];
  browserSafe: PipelineSidecar['browser_safe'];
  parity?: Parity;
}): PipelineSidecar {
  const { plan } = o;
  const dims = plan.dimension === '3d' ? 3 : 2;
  const inference = o.inference;
  return {
    format: SIDECAR_FORMAT,
    model: o.modelFile,
    opset: o.opset,
    precision: o.precision,
    browser_safe: o.browserSafe,
    input: {
      name: 'image',
      layout: dims === 3 ? 'N, C, D(k), H(j), W(i)' : 'N, C, H(j), W(i)',
      channels: [...plan.channels],
      dtype: 'float32',
      divisible_by: o.divisor,
    },
    output: {
      name: 'logits',
      layout: dims === 3 ? 'N, classes, D, H, W' : 'N, classes, H, W',
      classes: o.datasetInfo.labels.map((l) => ({ name: l.name, value: l.value })),
      meaning:
        'unnormalised scores per class (channel c is class index c; softmax over the class axis gives probabilities)',
    },
    preprocessing: {
      axis_order: 'image axes i, j, k (i fastest, LPS world); tensors are (k, j, i)',
      target_spacing_mm: [...plan.target_spacing],
      crop: 'crop to the bounding box of nonzero voxels (any channel) before resampling',
      resampling:
        'to target_spacing, trilinear in world space (new voxels centred in the old field); skipped when the grid already matches',
      normalization: plan.channels.map((channel, i) => {
        const scheme = plan.normalization[i]!;
        return {
          channel,
          scheme,
          description: NORMALIZATION[scheme] ?? scheme,
          ...(scheme === 'ct' ? { statistics: plan.foreground_intensity[i] } : {}),
        };
      }),
    },
    inference: {
      patch_size: [...plan.patch_size].reverse(),
      patch_size_image_order: [...plan.patch_size],
      overlap: inference?.overlap ?? 0.5,
      gaussian_weighting: { enabled: inference?.gaussian ?? true, sigma_fraction_of_patch: 1 / 8 },
      mirroring_axes: inference?.mirror === false ? [] : [...Array(dims).keys()].map((a) => a + 2),
      two_d_on_volumes: dims === 2 ? 'a volume is predicted slice by slice along k' : null,
    },
    postprocessing: {
      argmax:
        'softmax over classes (averaged over mirrored windows and Gaussian-weighted over overlapping windows), then argmax: the label map holds class indices (classes[c] is index c)',
      keep_largest_component: inference?.keep_largest ?? false,
      remove_components_smaller_than: inference?.remove_small ?? 0,
      fill_holes: inference?.fill_holes ?? false,
      restore:
        'probabilities are resampled back (trilinear) and un-cropped onto the input grid before the argmax; outputs keep the input geometry',
    },
    ...(o.parity ? { parity: o.parity } : {}),
    plan: o.plan,
    dataset: o.datasetInfo,
  };
}

/**
 * Augmentation for classification, built from the segmentation pipeline's transforms (one sampler →
 * deterministic transform each, so records replay): a random affine (rotation, isotropic scaling,
 * shear, translation; elastic deformation too) in one resample at the input size, then flips and the
 * intensity transforms (brightness, contrast, gamma, torchvision's colour jitter, noise, blur). Images are in [0, 1] here, before
 * the mean/std normalisation. Everything is off (p = 0) unless the config turns it on.
 */
import type * as ve from '../../engine/index.js';
import { Augmentation } from '../../transforms/augmentation.js';
import { RandomFlip } from '../../transforms/flip.js';
import { RandomGaussianBlur } from '../../transforms/intensity/blur.js';
import { RandomBrightness } from '../../transforms/intensity/brightness.js';
import { type JitterAdjustment, RandomColorJitter, jitterRange } from '../../transforms/intensity/color-jitter.js';
import { RandomContrast } from '../../transforms/intensity/contrast.js';
import { RandomGamma } from '../../transforms/intensity/gamma.js';
import { RandomGaussianNoise } from '../../transforms/intensity/noise.js';
import { RandomSpatial } from '../../transforms/spatial.js';
import type { Random } from '../../util/random.js';

/** A [low, high] range. */
export type Range = [number, number];
/** The augmentation section of a classification config. */
export interface ClassificationAugmentationConfig {
  enabled: boolean;
  flip: { p: number; axes: number[] | null };
  affine: { p: number; rotation_deg: Range; scale: Range; translate: Range; shear_deg: Range };
  elastic: { p: number; alpha: Range; sigma: Range };
  brightness: { p: number; range: Range };
  contrast: { p: number; range: Range };
  gamma: { p: number; range: Range };
  /** torchvision's ColorJitter arguments: a number x or a range each (0: off). */
  color_jitter: { p: number } & Record<JitterAdjustment, number | Range>;
  gaussian_noise: { p: number; variance: Range };
  gaussian_blur: { p: number; sigma: Range };
}

/** Draws and applies one sample's augmentation (a seeded Random in, the augmented sample out). */
export class ClassificationAugmentation {
  private readonly pipeline: Augmentation;

  /**
   * The pipeline for inputs of `size`.
   * @param size the input size (tensor order)
   * @param config the augmentation section
   */
  constructor(
    readonly size: number[],
    readonly config: ClassificationAugmentationConfig,
  ) {
    const c = config;
    const on = (p: number) => (c.enabled ? p : 0);
    const spatial = new RandomSpatial({
      patchSize: [...size],
      rotation: { p: on(c.affine.p), angleDeg: c.affine.rotation_deg },
      scaling: { p: on(c.affine.p), range: c.affine.scale },
      // drawn only when configured, so runs without shear keep their augmentation streams
      ...(c.affine.shear_deg.some((v) => v !== 0)
        ? { shear: { p: on(c.affine.p), angleDeg: c.affine.shear_deg } }
        : {}),
      elastic: { p: on(c.elastic.p), alpha: c.elastic.alpha, sigma: c.elastic.sigma },
    });
    this.pipeline = new Augmentation([...size], spatial, [
      new RandomFlip(on(c.flip.p), c.flip.axes ?? [size.length - 1]),
      new RandomBrightness(on(c.brightness.p), c.brightness.range),
      new RandomContrast(on(c.contrast.p), c.contrast.range),
      new RandomGamma(on(c.gamma.p), c.gamma.range),
      // only when configured, so runs without it keep their augmentation streams
      ...(on(c.color_jitter.p) > 0
        ? [
            new RandomColorJitter(c.color_jitter.p, {
              brightness: jitterRange('brightness', c.color_jitter.brightness),
              contrast: jitterRange('contrast', c.color_jitter.contrast),
              saturation: jitterRange('saturation', c.color_jitter.saturation),
              hue: jitterRange('hue', c.color_jitter.hue),
            }),
          ]
        : []),
      new RandomGaussianNoise(on(c.gaussian_noise.p), c.gaussian_noise.variance),
      new RandomGaussianBlur(on(c.gaussian_blur.p), c.gaussian_blur.sigma, 1),
    ]);
  }

  /** Whether any transform can fire. */
  get active(): boolean {
    const c = this.config;
    return (
      c.enabled &&
      [
        c.flip,
        c.affine,
        c.elastic,
        c.brightness,
        c.contrast,
        c.gamma,
        c.color_jitter,
        c.gaussian_noise,
        c.gaussian_blur,
      ].some((t) => t.p > 0)
    );
  }

  /** One augmented sample (C, ...size) from a prepared one; the input is left alone. */
  apply(image: ve.Tensor, rng: Random): ve.Tensor {
    const c = this.config.affine;
    const centre = this.size.map((s) => (s - 1) / 2);
    if (this.config.enabled && c.p > 0 && rng.next() < c.p) {
      for (let a = 0; a < centre.length; a++) centre[a]! += rng.uniform(c.translate[0], c.translate[1]) * this.size[a]!;
    }
    return this.pipeline.apply({ image }, rng, centre).subject.image;
  }
}

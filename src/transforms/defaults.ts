/**
 * nnU-Net's default augmentation (nnUNetTrainer.get_training_transforms), in its order and with its
 * probabilities, configurable from a plain object with the training config's snake_case keys:
 *
 *   rotation p 0.2 (2D ±180°, 3D ±30° per axis; ±15° for elongated 2D patches) and scaling p 0.2
 *   (0.7–1.4, one factor for all axes) in one resample; elastic and grid distortion off (p 0);
 *   Gaussian noise p 0.1 (variance 0–0.1); Gaussian blur p 0.2 (σ 0.5–1, per channel p 0.5);
 *   brightness ×0.75–1.25 p 0.15; contrast 0.75–1.25 p 0.15; low resolution p 0.25 (zoom 0.5–1,
 *   per channel p 0.5); inverted gamma p 0.1 and gamma p 0.3 (0.7–1.5, statistics retained);
 *   mirroring with p 0.5 per axis; rot90 off (p 0).
 */
import { defaultRotationDegrees } from './patch-size.js';
import { OptionError } from '../util/errors.js';
import { Augmentation } from './augmentation.js';
import { RandomFlip } from './flip.js';
import { RandomBrightness } from './intensity/brightness.js';
import { RandomGaussianBlur } from './intensity/blur.js';
import { RandomContrast } from './intensity/contrast.js';
import { RandomGamma } from './intensity/gamma.js';
import { RandomLowResolution } from './intensity/low-resolution.js';
import { RandomGaussianNoise } from './intensity/noise.js';
import { RandomRot90 } from './rot90.js';
import { RandomSpatial } from './spatial.js';
import type { RandomTransform } from './transform.js';

/** A [low, high] range a random parameter is drawn from. */
export type Range = [number, number];
export interface AugmentationConfig {
  enabled?: boolean;
  rotation?: { p?: number; angle_deg?: Range | null };
  scaling?: { p?: number; range?: Range };
  elastic?: { p?: number; alpha?: Range; sigma?: Range };
  grid_distortion?: { p?: number; num_steps?: number; distort_limit?: Range };
  gaussian_noise?: { p?: number; variance?: Range };
  gaussian_blur?: { p?: number; sigma?: Range };
  brightness?: { p?: number; range?: Range };
  contrast?: { p?: number; range?: Range };
  low_resolution?: { p?: number; zoom?: Range };
  gamma_inverted?: { p?: number; range?: Range };
  gamma?: { p?: number; range?: Range };
  /** p is per axis; axes count spatial axes in tensor order (0 = D in 3D, H in 2D); null = all. */
  mirror?: { p?: number; axes?: number[] | null };
  rot90?: { p?: number };
}

const KEYS: Record<string, string[]> = {
  rotation: ['p', 'angle_deg'],
  scaling: ['p', 'range'],
  elastic: ['p', 'alpha', 'sigma'],
  grid_distortion: ['p', 'num_steps', 'distort_limit'],
  gaussian_noise: ['p', 'variance'],
  gaussian_blur: ['p', 'sigma'],
  brightness: ['p', 'range'],
  contrast: ['p', 'range'],
  low_resolution: ['p', 'zoom'],
  gamma_inverted: ['p', 'range'],
  gamma: ['p', 'range'],
  mirror: ['p', 'axes'],
  rot90: ['p'],
};

export interface DefaultAugmentationOptions {
  /** Output patch size (tensor order); patches keep the source's shape when absent. */
  patchSize?: number[];
}

/** nnU-Net's augmentation for 2 or 3 spatial dimensions, with `config` overriding names' probabilities and ranges. */
export function defaultAugmentation(
  spatialDims: 2 | 3,
  config: AugmentationConfig = {},
  options: DefaultAugmentationOptions = {},
): Augmentation {
  if (spatialDims !== 2 && spatialDims !== 3)
    throw new OptionError('augmentation', `spatial dimensions must be 2 or 3, got ${spatialDims}`);
  validate(config, spatialDims);
  const patchSize = options.patchSize ? [...options.patchSize] : null;
  if (patchSize && patchSize.length !== spatialDims)
    throw new OptionError('patch_size', `has ${patchSize.length} axes for ${spatialDims}D augmentation`);
  const c = config;
  const enabled = c.enabled ?? true;
  const p = (entry: { p?: number } | undefined, fallback: number) => (enabled ? (entry?.p ?? fallback) : 0);
  const rotationDeg: Range =
    c.rotation?.angle_deg ??
    (patchSize ? defaultRotationDegrees(patchSize) : spatialDims === 2 ? [-180, 180] : [-30, 30]);
  const spatial = new RandomSpatial({
    patchSize: patchSize ?? [],
    rotation: { p: p(c.rotation, 0.2), angleDeg: rotationDeg },
    scaling: { p: p(c.scaling, 0.2), range: c.scaling?.range ?? [0.7, 1.4] },
    elastic: { p: p(c.elastic, 0), alpha: c.elastic?.alpha ?? [0, 200], sigma: c.elastic?.sigma ?? [9, 13] },
    gridDistortion: {
      p: p(c.grid_distortion, 0),
      numSteps: c.grid_distortion?.num_steps ?? 5,
      distortLimit: c.grid_distortion?.distort_limit ?? [-0.3, 0.3],
    },
  });
  const steps: RandomTransform[] = [
    new RandomGaussianNoise(p(c.gaussian_noise, 0.1), c.gaussian_noise?.variance ?? [0, 0.1]),
    new RandomGaussianBlur(p(c.gaussian_blur, 0.2), c.gaussian_blur?.sigma ?? [0.5, 1]),
    new RandomBrightness(p(c.brightness, 0.15), c.brightness?.range ?? [0.75, 1.25]),
    new RandomContrast(p(c.contrast, 0.15), c.contrast?.range ?? [0.75, 1.25]),
    new RandomLowResolution(p(c.low_resolution, 0.25), c.low_resolution?.zoom ?? [0.5, 1]),
    new RandomGamma(p(c.gamma_inverted, 0.1), c.gamma_inverted?.range ?? [0.7, 1.5], true),
    new RandomGamma(p(c.gamma, 0.3), c.gamma?.range ?? [0.7, 1.5], false),
    new RandomRot90(p(c.rot90, 0)),
    new RandomFlip(p(c.mirror, 0.5), c.mirror?.axes ?? null),
  ];
  return new Augmentation(patchSize, spatial, steps);
}

function validate(config: AugmentationConfig, dims: number): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new OptionError('augmentation', 'must be an object');
  for (const [name, entry] of Object.entries(config)) {
    const where = `augmentation.${name}`;
    if (name === 'enabled') {
      if (typeof entry !== 'boolean') throw new OptionError(where, 'must be true or false');
      continue;
    }
    const keys = KEYS[name];
    if (!keys) throw new OptionError(where, `unknown augmentation (known: enabled, ${Object.keys(KEYS).join(', ')})`);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new OptionError(where, 'must be an object');
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const at = `${where}.${key}`;
      if (!keys.includes(key)) throw new OptionError(at, `unknown key (allowed: ${keys.join(', ')})`);
      if (key === 'p') {
        if (typeof value !== 'number' || !(value >= 0 && value <= 1))
          throw new OptionError(at, `must be a probability in [0, 1], got ${JSON.stringify(value)}`);
      } else if (key === 'num_steps') {
        if (!Number.isInteger(value) || (value as number) < 1)
          throw new OptionError(at, `must be a positive integer, got ${JSON.stringify(value)}`);
      } else if (key === 'axes') {
        if (
          value !== null &&
          !(Array.isArray(value) && value.every((a) => Number.isInteger(a) && a >= 0 && a < dims))
        ) {
          throw new OptionError(at, `must be null or a list of spatial axes 0..${dims - 1}`);
        }
      } else if (!(key === 'angle_deg' && value === null)) {
        checkRange(at, value, LIMITS[`${name}.${key}`]);
      }
    }
  }
}

/** Allowed bounds of each range: [lowest, highest, lower bound exclusive]. */
const LIMITS: Record<string, [number, number, boolean]> = {
  'rotation.angle_deg': [-360, 360, false],
  'scaling.range': [0, Infinity, true],
  'elastic.alpha': [0, Infinity, false],
  'elastic.sigma': [0, Infinity, true],
  'grid_distortion.distort_limit': [-1, Infinity, true],
  'gaussian_noise.variance': [0, Infinity, false],
  'gaussian_blur.sigma': [0, Infinity, false],
  'brightness.range': [0, Infinity, false],
  'contrast.range': [0, Infinity, false],
  'low_resolution.zoom': [0, 1, true],
  'gamma_inverted.range': [0, Infinity, true],
  'gamma.range': [0, Infinity, true],
};

function checkRange(at: string, value: unknown, limits: [number, number, boolean] | undefined): void {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OptionError(at, `must be a range [low, high] of two finite numbers, got ${JSON.stringify(value)}`);
  }
  const [lo, hi] = value as [number, number];
  if (lo > hi) throw new OptionError(at, `low ${lo} is above high ${hi}`);
  if (limits) {
    const [min, max, exclusive] = limits;
    if ((exclusive ? lo <= min : lo < min) || hi > max)
      throw new OptionError(at, `must lie in ${exclusive ? '(' : '['}${min}, ${max}], got [${lo}, ${hi}]`);
  }
}

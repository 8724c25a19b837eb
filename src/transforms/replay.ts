/** Rebuilds a deterministic transform from its record, so a logged augmentation can be replayed. */
import { VesaliusError } from '../util/errors.js';
import { Flip } from './flip.js';
import { Brightness } from './intensity/brightness.js';
import { GaussianBlur } from './intensity/blur.js';
import { ColorJitter, type ColorJitterParams } from './intensity/color-jitter.js';
import { Contrast } from './intensity/contrast.js';
import { Gamma } from './intensity/gamma.js';
import { LowResolution } from './intensity/low-resolution.js';
import { GaussianNoise } from './intensity/noise.js';
import { Rot90 } from './rot90.js';
import { type SpatialParams, SpatialTransform } from './spatial.js';
import { Compose, type Transform, type TransformRecord } from './transform.js';

// Each factory declares the parameters its transform recorded; a record's params are checked by name.
const factories: Record<string, (p: never) => Transform> = {
  Compose: (p: { transforms: TransformRecord[] }) => new Compose(p.transforms.map(fromRecord)),
  Spatial: (p: SpatialParams) => new SpatialTransform(p),
  Flip: (p: { axes: number[] }) => new Flip(p.axes),
  Rot90: (p: { k: number; plane: [number, number] }) => new Rot90(p.k, p.plane),
  GaussianNoise: (p: { seed: number; variance: number }) => new GaussianNoise(p.seed, p.variance),
  GaussianBlur: (p: { sigmas: (number[] | null)[] }) => new GaussianBlur(p.sigmas),
  Brightness: (p: { multipliers: (number | null)[] }) => new Brightness(p.multipliers),
  Contrast: (p: { factors: (number | null)[]; preserveRange: boolean }) => new Contrast(p.factors, p.preserveRange),
  LowResolution: (p: { zooms: (number | null)[] }) => new LowResolution(p.zooms),
  ColorJitter: (p: ColorJitterParams) => new ColorJitter(p),
  Gamma: (p: { gammas: (number | null)[]; invert: boolean; retainStats: boolean }) =>
    new Gamma(p.gammas, p.invert, p.retainStats),
};

/**
 * Rebuilds a deterministic transform from its `record()`, to replay a logged augmentation exactly.
 * @throws VesaliusError for an unknown transform name
 */
export function fromRecord(record: TransformRecord): Transform {
  const make = factories[record.name];
  if (!make)
    throw new VesaliusError(
      `unknown transform '${record.name}' in an augmentation record (known: ${Object.keys(factories).join(', ')})`,
    );
  return make(record.params as never);
}

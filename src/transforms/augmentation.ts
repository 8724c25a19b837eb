/**
 * A random augmentation pipeline: the spatial transform (patch extraction with rotation, scaling,
 * elastic deformation, grid distortion) first, then the other random transforms in order. Sampling
 * gives a deterministic `Compose` whose record replays the exact augmentation.
 */
import * as ve from '../engine/index.js';
import type { Random } from '../util/random.js';
import type { PatchSource } from './source.js';
import { RandomSpatial, SpatialTransform } from './spatial.js';
import { Compose, type RandomTransform, type Subject, type Transform } from './transform.js';

export interface AugmentContext {
  /** Spatial shape of the source the patch is taken from. */
  spatialShape: readonly number[];
  channels: number;
  /** Patch centre in source voxels; the source's centre when absent. */
  centre?: number[];
}

/** A spatial sampler then intensity samplers, in order: nnU-Net's pipeline as `defaultAugmentation` builds it. */
export class Augmentation {
  /**
   * Creates a `Augmentation`.
   * @param patchSize output patch (tensor order); the source's shape when null
   * @param spatial the spatial sampler (rotation, scaling, deformation)
   * @param steps the samplers applied after it, in order
   */
  constructor(
    /** Output patch size; the source's shape when null. */
    readonly patchSize: number[] | null,
    readonly spatial: RandomSpatial,
    readonly steps: readonly RandomTransform[],
  ) {}

  /** Draws every parameter for one sample (spatial first, then each step in order). */
  sample(rng: Random, context: AugmentContext): Compose {
    const patchSize = this.patchSize ?? [...context.spatialShape];
    const spatial = new RandomSpatial({ ...this.spatial.options, patchSize }).sample(rng, context);
    const after = { spatialShape: patchSize, channels: context.channels };
    const drawn: Transform[] = [spatial];
    for (const step of this.steps) {
      const t = step.sample(rng, after);
      if (t) drawn.push(t);
    }
    return new Compose(drawn);
  }

  /** Samples and applies to a subject: returns the augmented subject and the transform that made it. */
  apply(subject: Subject, rng: Random, centre?: number[]): { subject: Subject; transform: Compose } {
    const transform = this.sample(rng, {
      spatialShape: subject.image.shape.slice(1),
      channels: subject.image.shape[0]!,
      centre,
    });
    return { subject: transform.apply(subject), transform };
  }

  /**
   * A batch (image (N, C, ...), label (N, Cl, ...)) on any device: each sample draws its own
   * parameters from `rng` in order, as `apply` would one after another, and the results are stacked.
   */
  applyBatch(batch: Subject, rng: Random, centres?: number[][]): { subject: Subject; transforms: Compose[] } {
    const n = batch.image.shape[0]!;
    const transforms: Compose[] = [];
    const subject = ve.tidy(() => {
      const images: ve.Tensor[] = [];
      const labels: ve.Tensor[] = [];
      for (let i = 0; i < n; i++) {
        const one = { image: ve.select(batch.image, 0, i), label: batch.label && ve.select(batch.label, 0, i) };
        const { subject: out, transform } = this.apply(one.label ? one : { image: one.image }, rng, centres?.[i]);
        transforms.push(transform);
        images.push(out.image);
        if (out.label) labels.push(out.label);
      }
      const image = ve.stack(images, 0);
      return labels.length > 0 ? { image, label: ve.stack(labels, 0) } : { image };
    });
    return { subject, transforms };
  }

  /** Samples and applies to a patch source (the batch loader's typed-array cases). */
  applyFrom(source: PatchSource, rng: Random, centre?: number[]): { subject: Subject; transform: Compose } {
    const transform = this.sample(rng, { spatialShape: source.spatialShape, channels: source.channels, centre });
    return { subject: applyComposeFrom(transform, source), transform };
  }
}

/** Runs a sampled pipeline on a source: its first (spatial) transform reads the source directly. */
export function applyComposeFrom(transform: Compose, source: PatchSource): Subject {
  const [first, ...rest] = transform.transforms;
  if (!(first instanceof SpatialTransform))
    throw new TypeError('applyComposeFrom: the first transform must be the spatial transform');
  return ve.tidy(() => rest.reduce((s, t) => t.apply(s), first.applyFrom(source)));
}

/**
 * nnU-Net's SpatialTransform done the efficient way: the sampling grid is built for the OUTPUT
 * patch (rotation, scaling, elastic deformation and grid distortion folded into one grid) and the
 * source is sampled directly, so one grid_sample per sample replaces "crop a larger patch,
 * transform it, crop again". Image: bilinear, zeros outside; label: nearest, 0 (background) outside,
 * so labels keep exactly their class values. Without rotation, scaling or deformation and with an
 * integer patch corner, the transform is a plain crop (no interpolation at all).
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import { OptionError } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { type ElasticParams, type GridDistortionParams, deformation } from './deformation.js';
import { type PatchSource, tensorSource } from './source.js';
import { type Matrix, gridTheta, isIdentity, linearPart } from './spatial-math.js';
import {
  ForwardTransform,
  type RandomTransform,
  type SampleContext,
  type Subject,
  type TransformRecord,
  coin,
  uniform,
} from './transform.js';

export interface SpatialParams {
  /** Output spatial size (tensor order). */
  patchSize: number[];
  /** Source voxel coordinates of the patch centre; the centre of the source when absent. */
  centre?: number[];
  /** Radians. 2D: one angle in the (H, W) plane; 3D: one per axis (see rotationMatrix). */
  angles?: number[];
  /** Per axis. Coordinates are multiplied, as in nnU-Net: > 1 takes a larger region, structures look smaller. */
  scales?: number[];
  /** Radians. 2D: one shear angle (W shifted in proportion to H); 3D: one per plane (see shearMatrix). */
  shears?: number[];
  elastic?: ElasticParams;
  gridDistortion?: GridDistortionParams;
}

/**
 * Rotation, scaling, elastic deformation and grid distortion in one resample of the output patch
 * (this file's comment).
 */
export class SpatialTransform extends ForwardTransform {
  readonly name = 'Spatial';
  readonly params: SpatialParams;
  /**
   * Creates a `SpatialTransform`.
   * @param params the patch size, centre, angles, scales and deformation fields
   */
  constructor(params: SpatialParams) {
    super();
    this.params = structuredClone(params);
  }

  get matrix(): Matrix {
    const n = this.params.patchSize.length;
    return linearPart(this.params.angles ?? [], this.params.scales ?? [], n, this.params.shears ?? []);
  }

  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: structuredClone(this.params) as unknown as Record<string, unknown> };
  }

  apply(subject: Subject): Subject {
    return this.applyFrom(tensorSource(subject));
  }

  /** Samples the output patch out of `source`, reading only the region it touches. */
  applyFrom(source: PatchSource): Subject {
    const { patchSize } = this.params;
    const n = patchSize.length;
    const shape = source.spatialShape;
    if (shape.length !== n)
      throw new OptionError('patch_size', `has ${n} axes, the image has ${shape.length} spatial axes`);
    const centre = this.params.centre ?? shape.map((s) => (s - 1) / 2);
    const m = this.matrix;
    const deformed = this.params.elastic !== undefined || this.params.gridDistortion !== undefined;
    const corner = centre.map((c, a) => c - (patchSize[a]! - 1) / 2);
    if (!deformed && isIdentity(m) && corner.every((x) => Math.abs(x - Math.round(x)) < 1e-9)) {
      return cropWithPadding(source, corner.map(Math.round), patchSize);
    }
    return ve.tidy(() => {
      const deform = deformation(patchSize, this.params.elastic, this.params.gridDistortion, source.device);
      // the source region the grid can touch: patch corners ± the largest displacement, through M
      const dmax = deform ? deform.dmax : Array<number>(n).fill(0);
      const start: number[] = [];
      const end: number[] = [];
      for (let i = 0; i < n; i++) {
        let reach = 0;
        for (let j = 0; j < n; j++) reach += Math.abs(m[i]![j]!) * ((patchSize[j]! - 1) / 2 + dmax[j]!);
        start.push(Math.max(0, Math.floor(centre[i]! - reach) - 1));
        end.push(Math.min(shape[i]!, Math.floor(centre[i]! + reach) + 2));
      }
      if (start.some((s, i) => s >= end[i]!)) return emptyPatch(source, patchSize);
      const region = source.read(start, end);
      const size = start.map((s, i) => end[i]! - s);
      const local = centre.map((c, i) => c - start[i]!);
      const device = region.image.device;
      const theta = ve.Tensor.from(gridTheta(m, local, patchSize, size), [1, n, n + 1], { device });
      let grid = ve.affineGrid(theta, [1, 1, ...patchSize], false);
      // displacement d (tensor order, voxels) → grid units: diag(2/S)·M·d
      if (deform) grid = grid.add(deform.gridOffsets(m.map((row, i) => row.map((v) => (2 / size[i]!) * v))));
      const image = ve
        .gridSample(region.image.unsqueeze(0).to({ dtype: 'float32' }), grid, {
          mode: 'bilinear',
          paddingMode: 'zeros',
          alignCorners: false,
        })
        .squeeze(0);
      let label: Tensor | undefined;
      if (region.label) {
        const dtype = region.label.dtype;
        label = ve
          .gridSample(region.label.unsqueeze(0).to({ dtype: 'float32' }), grid, {
            mode: 'nearest',
            paddingMode: 'zeros',
            alignCorners: false,
          })
          .squeeze(0);
        if (dtype !== 'float32') label = label.round().to({ dtype });
      }
      return label ? { image, label } : { image };
    });
  }
}

function emptyPatch(source: PatchSource, patchSize: readonly number[]): Subject {
  const image = ve.zeros([source.channels, ...patchSize], { device: source.device });
  const l = source.label;
  return l
    ? { image, label: ve.zeros([l.channels, ...patchSize], { dtype: l.dtype, device: source.device }) }
    : { image };
}

/** The box [corner, corner + P) of the source; voxels outside the source are 0. */
function cropWithPadding(source: PatchSource, corner: readonly number[], patchSize: readonly number[]): Subject {
  const shape = source.spatialShape;
  const n = patchSize.length;
  const start = corner.map((c, a) => Math.min(shape[a]!, Math.max(0, c)));
  const end = corner.map((c, a) => Math.max(start[a]!, Math.min(shape[a]!, c + patchSize[a]!)));
  if (start.some((s, a) => s >= end[a]!)) return emptyPatch(source, patchSize);
  return ve.tidy(() => {
    const region = source.read(start, end);
    const pads: number[] = [];
    for (let a = n - 1; a >= 0; a--) pads.push(start[a]! - corner[a]!, corner[a]! + patchSize[a]! - end[a]!);
    const padded = (t: Tensor) => (pads.every((p) => p === 0) ? t.contiguous() : ve.pad(t, pads, 'constant', 0));
    const image = padded(region.image.to({ dtype: 'float32' }));
    return region.label ? { image, label: padded(region.label) } : { image };
  });
}

export interface RandomSpatialOptions {
  patchSize: number[];
  rotation?: { p: number; angleDeg: [number, number] };
  scaling?: { p: number; range: [number, number] };
  /** Shear angles in degrees (2D: one, 3D: one per plane); drawn only when given, so streams without it stay as they were. */
  shear?: { p: number; angleDeg: [number, number] };
  elastic?: { p: number; alpha: [number, number]; sigma: [number, number] };
  gridDistortion?: { p: number; numSteps: number; distortLimit: [number, number] };
}

/** Draws nnU-Net's spatial parameters (one coin each for rotation, scaling, deformation). */
export class RandomSpatial implements RandomTransform {
  readonly name = 'Spatial';
  readonly p = 1;
  /**
   * Creates a `RandomSpatial`.
   * @param options the patch size and each component's probability and ranges
   */
  constructor(readonly options: RandomSpatialOptions) {}

  sample(rng: Random, context: SampleContext & { centre?: number[] }): SpatialTransform {
    const o = this.options;
    const n = o.patchSize.length;
    const params: SpatialParams = { patchSize: [...o.patchSize] };
    if (context.centre) params.centre = [...context.centre];
    if (o.rotation && coin(rng, o.rotation.p)) {
      const count = n === 2 ? 1 : 3;
      params.angles = Array.from({ length: count }, () => (uniform(rng, o.rotation!.angleDeg) * Math.PI) / 180);
    }
    if (o.scaling && coin(rng, o.scaling.p)) {
      const s = uniform(rng, o.scaling.range);
      params.scales = Array<number>(n).fill(s);
    }
    if (o.shear && coin(rng, o.shear.p)) {
      const count = n === 2 ? 1 : 3;
      params.shears = Array.from({ length: count }, () => (uniform(rng, o.shear!.angleDeg) * Math.PI) / 180);
    }
    if (o.elastic && coin(rng, o.elastic.p)) {
      params.elastic = {
        seed: rng.nextUint32(),
        alpha: uniform(rng, o.elastic.alpha),
        sigma: uniform(rng, o.elastic.sigma),
      };
    }
    if (o.gridDistortion && coin(rng, o.gridDistortion.p)) {
      const g = o.gridDistortion;
      params.gridDistortion = {
        factors: o.patchSize.map(() => Array.from({ length: g.numSteps }, () => 1 + uniform(rng, g.distortLimit))),
      };
    }
    return new SpatialTransform(params);
  }
}

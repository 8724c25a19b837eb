/**
 * Preprocessing of one case for training and inference, in nnU-Net's order: crop to the non-zero
 * region of the image channels (label and ROI cropped with the same box), normalise each channel
 * (the plan's scheme; z-score inside the non-zero mask where the plan says so), resample to the
 * plan's target spacing (linear for intensities, nearest for labels — nnU-Net uses cubic splines;
 * we take the io layer's world-space resampler, with the new voxels centred in the old field), and record everything needed to put a prediction
 * back on the original grid.
 *
 * The resampler is passed in (the io layer's `resampleOnto`), which keeps this module free of I/O.
 * Data layout: channels slowest, then k, j, i (i fastest): an engine tensor [C, k, j, i] read flat.
 */
import { type Image, type Mat3, type Vec3, createImage, indexToWorld } from '../io/image.js';
import { type Grid, resampleOnto } from '../io/resample.js';
import { ShapeError } from '../util/errors.js';
import { type Box, type CropRecord, boundingBox, boxShape, extractBox, nonZeroMask, restoreCrop } from './crop.js';
import type { LoadedCase } from './fingerprint.js';
import { normalizeChannel } from './normalize.js';
import type { Plan } from './plan.js';

/** Resamples an image onto a grid (the io layer's `resampleOnto` by default; tests may count calls). */
export type Resampler = (
  image: Image,
  grid: Grid,
  options: { interpolation?: 'nearest' | 'linear'; fill?: number },
) => Image;

/** The io layer's world-space resampler (trilinear / nearest). */
export const defaultResampler: Resampler = resampleOnto;

/** Where the case came from: enough to put a prediction back with the input's geometry. */
export interface CaseProperties {
  /** The original grid (of the first image file). */
  original: { shape: [number, number, number]; spacing: Vec3; origin: Vec3; direction: Mat3 };
  /** The non-zero crop in original voxels. */
  crop: CropRecord;
  /** The grid the preprocessed arrays live on. */
  grid: { shape: [number, number, number]; spacing: Vec3; origin: Vec3; direction: Mat3 };
}

export interface PreprocessedCase {
  id: string;
  /** Normalised channels on `properties.grid`, [C, k, j, i] flat. */
  data: Float32Array;
  channels: number;
  /** Spatial shape on the preprocessed grid. */
  shape: [number, number, number];
  label?: Uint8Array;
  roi?: Uint8Array;
  properties: CaseProperties;
}

export interface CaseGeometry {
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
}

/** Target spacing for all three axes: a 2D plan keeps the k spacing. */
export function fullTargetSpacing(plan: Pick<Plan, 'target_spacing'>, spacing: readonly number[]): Vec3 {
  return [plan.target_spacing[0]!, plan.target_spacing[1]!, plan.target_spacing[2] ?? spacing[2]!];
}

/**
 * The grid of a box of the original image resampled to `target` spacing over the same physical
 * extent: the new voxels are centred in the old field (extents aligned, as skimage's resize that
 * nnU-Net uses does), so no new voxel centre falls outside the image.
 */
function targetGrid(geometry: CaseGeometry, box: Box, target: Vec3): CaseProperties['grid'] {
  const cropped = boxShape(box);
  const shape = [0, 1, 2].map((d) => Math.max(1, Math.round((cropped[d]! * geometry.spacing[d]!) / target[d]!))) as [
    number,
    number,
    number,
  ];
  // first new centre, in old voxel indices: the extent's start (−0.5) plus half a new voxel, and
  // centred when round() made the new extent differ from the old one
  const firstCentre = [0, 1, 2].map((d) => {
    const oldExtent = cropped[d]! * geometry.spacing[d]!;
    const newExtent = shape[d]! * target[d]!;
    return (
      box.start[d]! - 0.5 + (oldExtent - newExtent) / 2 / geometry.spacing[d]! + target[d]! / 2 / geometry.spacing[d]!
    );
  });
  return {
    shape,
    spacing: [...target],
    origin: indexToWorld(geometry, firstCentre),
    direction: [...geometry.direction] as Mat3,
  };
}

function sameGrid(a: Grid, b: Grid): boolean {
  return [0, 1, 2].every(
    (d) =>
      a.shape[d] === b.shape[d] &&
      Math.abs(a.spacing[d]! - b.spacing[d]!) < 1e-6 * b.spacing[d]! &&
      Math.abs(a.origin[d]! - b.origin[d]!) < 1e-6,
  );
}

/**
 * Preprocesses one loaded case with a plan, in nnU-Net's order: crop to the non-zero region of the
 * channels, normalise each channel with the plan's scheme, resample to the target spacing (images
 * linear, labels and ROI nearest).
 * @param c the case's channels (and label, ROI) on its original grid
 * @param geometry the case's original spacing, origin and direction, kept to restore predictions
 * @param plan gives the target spacing and normalisation
 * @returns the normalised channels `[C, k, j, i]` on the new grid, the label and ROI, and the properties
 *   `restoreToOriginal` needs
 * @throws ShapeError naming the case when its channel count differs from the plan's
 */
export function preprocessCase(
  c: LoadedCase & { roi?: ArrayLike<number> },
  geometry: CaseGeometry,
  plan: Plan,
  resample: Resampler = defaultResampler,
): PreprocessedCase {
  const [ni, nj, nk] = c.shape;
  const n = ni * nj * nk;
  if (c.channels.length !== plan.channels.length) {
    throw new ShapeError(
      `case ${c.id}: ${c.channels.length} channels, the plan expects ${plan.channels.length} (${plan.channels.join(', ')})`,
    );
  }
  const mask = new Uint8Array(n);
  for (const ch of c.channels) {
    const m = nonZeroMask(ch, c.shape);
    for (let v = 0; v < n; v++) mask[v]! |= m[v]!;
  }
  const box: Box = boundingBox(mask, c.shape) ?? { start: [0, 0, 0], end: [ni, nj, nk] };
  const cropShape = boxShape(box);
  const cropMask = extractBox(mask, c.shape, box).data;
  const croppedGeometry = { ...geometry, origin: indexToWorld(geometry, box.start) };
  const grid = targetGrid(geometry, box, fullTargetSpacing(plan, geometry.spacing));
  const resampleNeeded = !sameGrid({ shape: cropShape, ...croppedGeometry }, grid);

  const m = grid.shape[0] * grid.shape[1] * grid.shape[2];
  const data = new Float32Array(m * c.channels.length);
  c.channels.forEach((ch, i) => {
    const cropped = extractBox(Float32Array.from(ch), c.shape, box).data;
    const normalised = normalizeChannel(cropped, plan.normalization[i]!, {
      stats: plan.foreground_intensity[i],
      mask: plan.use_mask_for_norm[i] ? cropMask : undefined,
      what: `case ${c.id} channel ${plan.channels[i]}`,
    });
    const onGrid = resampleNeeded
      ? resample(createImage(normalised, cropShape, croppedGeometry), grid, { interpolation: 'linear' }).data
      : normalised;
    data.set(onGrid, m * i);
  });
  const mapMask = (values: ArrayLike<number> | undefined): Uint8Array | undefined => {
    if (!values) return undefined;
    const cropped = extractBox(values instanceof Uint8Array ? values : Uint8Array.from(values), c.shape, box).data;
    return resampleNeeded
      ? Uint8Array.from(
          resample(createImage(cropped, cropShape, croppedGeometry), grid, { interpolation: 'nearest' }).data,
        )
      : cropped;
  };
  return {
    id: c.id,
    data,
    channels: c.channels.length,
    shape: grid.shape,
    label: mapMask(c.label),
    roi: mapMask(c.roi ? binary(c.roi) : undefined),
    properties: {
      original: {
        shape: [ni, nj, nk],
        spacing: [...geometry.spacing],
        origin: [...geometry.origin],
        direction: [...geometry.direction] as Mat3,
      },
      crop: { originalShape: [ni, nj, nk], box },
      grid,
    },
  };
}

/** 1 where non-zero (ROI masks may be stored as 0/255 or as scaled floats like 0.99999997). */
function binary(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let v = 0; v < values.length; v++) out[v] = values[v] !== 0 ? 1 : 0;
  return out;
}

/**
 * Puts per-voxel values from the preprocessed grid back on the original grid: resample onto the
 * cropped original grid (nearest for labels, linear for probabilities), then undo the crop. Outside
 * the crop, labels are background 0 and probability maps say background (channel 0 = 1, others 0),
 * as nnU-Net does. `values` is [C, k, j, i] flat with `channels` blocks.
 */
export function restoreToOriginal<T extends Uint8Array | Float32Array>(
  values: T,
  channels: number,
  properties: CaseProperties,
  kind: 'labels' | 'probabilities',
  resample: Resampler = defaultResampler,
): T {
  const { original, crop, grid } = properties;
  const cropShape = boxShape(crop.box);
  const croppedGrid: Grid = {
    shape: cropShape,
    spacing: original.spacing,
    origin: indexToWorld(original, crop.box.start),
    direction: original.direction,
  };
  const gridVoxels = grid.shape[0] * grid.shape[1] * grid.shape[2];
  if (values.length !== gridVoxels * channels)
    throw new ShapeError(`expected ${channels}×${grid.shape.join('×')} values, got ${values.length}`);
  const shapeWithChannels = channels > 1 ? [...grid.shape, channels] : [...grid.shape];
  let onCrop: T = values;
  if (!sameGrid(grid, croppedGrid)) {
    onCrop = resample(createImage(values, shapeWithChannels, grid), croppedGrid, {
      interpolation: kind === 'labels' ? 'nearest' : 'linear',
    }).data as T;
  }
  const croppedShape = channels > 1 ? [...cropShape, channels] : [...cropShape];
  const restored = restoreCrop(onCrop, croppedShape, crop).data;
  if (kind === 'probabilities') {
    // background outside the crop
    const [oi, oj, ok] = original.shape;
    const [si, sj, sk] = crop.box.start,
      [ei, ej, ek] = crop.box.end;
    for (let k = 0; k < ok; k++)
      for (let j = 0; j < oj; j++)
        for (let i = 0; i < oi; i++) {
          if (i >= si && i < ei && j >= sj && j < ej && k >= sk && k < ek) continue;
          restored[i + oi * (j + oj * k)] = 1;
        }
  }
  return restored;
}

/**
 * Images of a detection dataset made ready for the network, with their boxes: read, each channel
 * normalised (data/normalize.ts), resized by `scale` (or to `targetSpacing` in mm) with area
 * averaging when shrinking and linear interpolation otherwise, and the boxes scaled with them: a box
 * edge at e lands at e · new size / old size (exact for align_corners = false resizing). The prepared
 * grid's geometry (spacing, origin) is kept so predictions go back to the original voxels and to
 * patient coordinates.
 */
import * as ve from '../engine/index.js';
import { normalizeChannel, type NormalizationScheme } from '../data/normalize.js';
import type { Image } from '../io/image.js';
import { indexToWorld } from '../io/geometry.js';
import { FileFormatError, OptionError } from '../util/errors.js';
import type { BoxDims, BoxSet } from './boxes.js';
import type { Geometry } from './box-geometry.js';
import type { DetectionCase } from './datasets/dataset.js';

export interface PrepareOptions {
  dims: BoxDims;
  normalization: NormalizationScheme;
  /** Resize factor per axis or for all (e.g. 0.5 halves a 640 × 480 photograph). */
  scale?: number | number[];
  /** Or: resample to this spacing (mm, image order). */
  targetSpacing?: number[];
}

export interface PreparedImage {
  /** (C, ...spatial) in tensor order, contiguous. */
  data: Float32Array;
  channels: number;
  /** Tensor-order spatial size. */
  size: number[];
  /** Per image axis (x, y(, z)): prepared size / original size. */
  factor: number[];
  /** Geometry of the original image and of the prepared grid. */
  original: Geometry & { shape: number[] };
  grid: Geometry;
}

export interface PreparedCase extends PreparedImage {
  id: string;
  /** Boxes in the prepared grid's voxel coordinates. */
  boxes: BoxSet;
}

/** Spatial size (image order) and channel count of an image read for `dims`. */
function layout(image: Image, dims: BoxDims, path: string): { spatial: number[]; channels: number } {
  const [ni, nj, nk, ...rest] = image.shape as [number, number, number, ...number[]];
  const channels = rest.reduce((a, b) => a * b, 1);
  if (dims === 2 && nk !== 1)
    throw new FileFormatError(path, `a 2D detection dataset needs 2D images, this one has ${nk} slices`);
  return { spatial: dims === 2 ? [ni, nj] : [ni, nj, nk], channels };
}

/** Normalises and resizes one image; returns the prepared voxels and both geometries. */
export function prepareImage(image: Image, path: string, o: PrepareOptions): PreparedImage {
  const { spatial, channels } = layout(image, o.dims, path);
  const per = spatial.reduce((a, b) => a * b, 1);
  const data = new Float32Array(channels * per);
  for (let c = 0; c < channels; c++)
    data.set(normalizeChannel(image.data.subarray(c * per, (c + 1) * per), o.normalization), c * per);
  let factor: number[];
  if (o.targetSpacing) {
    if (o.targetSpacing.length !== o.dims)
      throw new OptionError('preprocess.target_spacing', `needs ${o.dims} values (image order)`);
    factor = spatial.map((_, a) => image.spacing[a]! / o.targetSpacing![a]!);
  } else {
    const s = o.scale ?? 1;
    factor = typeof s === 'number' ? spatial.map(() => s) : [...s];
    if (factor.length !== o.dims || !factor.every((f) => f > 0))
      throw new OptionError('preprocess.scale', `needs one positive factor or ${o.dims} of them`);
  }
  const newSpatial = spatial.map((s, a) => Math.max(1, Math.round(s * factor[a]!)));
  factor = newSpatial.map((s, a) => s / spatial[a]!);
  const size = [...newSpatial].reverse();
  let out: Float32Array = data;
  if (newSpatial.some((s, a) => s !== spatial[a])) {
    const shrinking = factor.every((f) => f <= 1);
    out = ve.tidy(() => {
      const t = ve.Tensor.from(data, [1, channels, ...[...spatial].reverse()]);
      const mode = shrinking ? 'area' : o.dims === 2 ? 'bilinear' : 'trilinear';
      return ve.interpolate(t, { size, mode }).contiguous().toArray() as Float32Array;
    });
  }
  const spacing = [...image.spacing] as [number, number, number];
  for (let a = 0; a < o.dims; a++) spacing[a] = image.spacing[a]! / factor[a]!;
  // the prepared voxel centre 0 sits at original continuous index (0.5 / f − 0.5)
  const origin = indexToWorld(
    image,
    [0, 1, 2].map((a) => (a < o.dims ? 0.5 / factor[a]! - 0.5 : 0)),
  );
  return {
    data: out,
    channels,
    size,
    factor,
    original: { shape: spatial, spacing: image.spacing, origin: image.origin, direction: image.direction },
    grid: { spacing, origin, direction: image.direction },
  };
}

/** Scales boxes by per-axis factors (voxel edges: e → e · f). */
export function scaleBoxes(boxes: ArrayLike<number>, dims: BoxDims, factor: readonly number[]): Float64Array {
  const out = Float64Array.from(boxes);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * factor[i % dims]!;
  return out;
}

/** Reads and prepares one annotated case, its boxes scaled with the image. */
export async function prepareCase(
  c: DetectionCase,
  read: (path: string) => Promise<Image>,
  o: PrepareOptions,
): Promise<PreparedCase> {
  const image = await read(c.image);
  const p = prepareImage(image, c.image, o);
  const { spatial } = layout(image, o.dims, c.image);
  const w = 2 * o.dims;
  for (let b = 0; b < c.boxes.labels.length; b++)
    for (let a = 0; a < o.dims; a++)
      if (c.boxes.boxes[b * w + o.dims + a]! > spatial[a]! + 1e-6)
        throw new FileFormatError(
          c.source,
          `box ${b} reaches past its image ${c.image} (size [${spatial.join(', ')}])`,
        );
  return { id: c.id, ...p, boxes: { ...c.boxes, boxes: scaleBoxes(c.boxes.boxes, o.dims, p.factor) } };
}

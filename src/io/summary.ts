/** The facts `vesalius info` reports about an image (the `info --json` contract in docs/io.md). */
import { dtypeOf, type DType, type Image } from './image.js';
import { intensityStats } from './voxels.js';

export interface ImageSummary {
  path: string;
  shape: number[];
  spacing: number[];
  /** LPS, mm. */
  origin: number[];
  /** 9 numbers, row-major; columns are the LPS directions of i, j, k. */
  direction: number[];
  dtype: DType;
  /** Intensities after DICOM rescale / NIfTI scl_slope+scl_inter. */
  min: number;
  max: number;
  mean: number;
}

/** The record `vesalius info --json` prints for an image read from `path` (see docs/io.md). */
export function summarize(image: Image, path: string): ImageSummary {
  const { min, max, mean } = intensityStats(image);
  return {
    path,
    shape: [...image.shape],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: [...image.direction],
    dtype: dtypeOf(image.data),
    min,
    max,
    mean,
  };
}

/**
 * Heatmaps in the input's physical space: a map made on the network's input grid (whose geometry the
 * preparation step derived from the input's: resize and letterbox change spacing and origin) is an
 * `Image` on that grid, resampled onto the input's own grid in world coordinates (trilinear, 0 outside).
 * So a 3D map has exactly the input's slices, whatever the resize, and any orientation is respected.
 */
import { createImage, type Image } from '../io/image.js';
import { type Grid, resampleOnto } from '../io/resample.js';

/** The map (tensor order, C-order: i fastest) as an Image on `grid`, resampled onto `input`'s grid. */
export function heatmapOnInput(map: Float32Array, grid: Grid, input: Image): Image {
  const onGrid = createImage(map, grid.shape, {
    spacing: grid.spacing,
    origin: grid.origin,
    direction: grid.direction,
  });
  return resampleOnto(
    onGrid,
    { shape: input.shape.slice(0, 3), spacing: input.spacing, origin: input.origin, direction: input.direction },
    { interpolation: 'linear', fill: 0 },
  );
}

/** Values scaled by the maximum to [0, 1] (0 stays "no evidence"); an all-zero map stays zero. */
export function normalizeMap(image: Image): Image {
  let max = 0;
  for (const v of image.data) if (v > max) max = v;
  const data = Float32Array.from(image.data, (v) => (max > 0 ? Math.max(0, v) / max : 0));
  return { ...image, data, meta: { ...image.meta } };
}

/** Weak supervision: the normalised map thresholded into a 0/1 mask with the map's geometry. */
export function pseudoMask(normalized: Image, threshold: number): Image {
  return { ...normalized, data: Uint8Array.from(normalized.data, (v) => (v >= threshold ? 1 : 0)), meta: {} };
}

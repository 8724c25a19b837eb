/**
 * The heatmap over the image, as a PNG a clinician can look at: the image in grey (its first channel,
 * or the luma of RGB, stretched to its 1st–99th percentile), the normalised heat in a jet colour map
 * blended in proportion to the heat. 3D: the axial slice (k) through the heatmap's maximum.
 */
import { createImage, type Image } from '../io/image.js';
import { writePng } from '../io/raster.js';
import { percentileOfSorted } from '../util/percentile.js';

function jet(h: number): [number, number, number] {
  const c = (x: number) => Math.max(0, Math.min(1, x));
  return [c(1.5 - Math.abs(4 * h - 3)), c(1.5 - Math.abs(4 * h - 2)), c(1.5 - Math.abs(4 * h - 1))];
}

/** The slice index (k) through the map's maximum. */
export function hottestSlice(heat: Image): number {
  const [ni, nj] = heat.shape as [number, number];
  let best = 0;
  for (let v = 1; v < heat.data.length; v++) if (heat.data[v]! > heat.data[best]!) best = v;
  return Math.floor(best / (ni * nj));
}

/** An RGB overlay image (2D) of `image` and a normalised heatmap on the same grid, at slice k. */
export function overlayImage(image: Image, heat: Image, k = hottestSlice(heat), alpha = 0.5): Image {
  const [ni, nj, nk] = image.shape as [number, number, number];
  const n = ni * nj;
  const spatial = n * nk;
  const channels = image.data.length / spatial;
  const grey = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const at = (c: number) => Number(image.data[c * spatial + k * n + v]);
    grey[v] = channels >= 3 ? 0.299 * at(0) + 0.587 * at(1) + 0.114 * at(2) : at(0);
  }
  const sorted = Float64Array.from(grey).sort();
  const lo = percentileOfSorted(sorted, 1),
    hi = percentileOfSorted(sorted, 99);
  const rgb = new Uint8Array(3 * n);
  for (let v = 0; v < n; v++) {
    const g = hi > lo ? Math.max(0, Math.min(1, (grey[v]! - lo) / (hi - lo))) : 0;
    const h = Math.max(0, Math.min(1, Number(heat.data[k * n + v])));
    const colour = jet(h);
    const w = alpha * h;
    for (let c = 0; c < 3; c++) rgb[c * n + v] = Math.round(255 * ((1 - w) * g + w * colour[c]!));
  }
  return createImage(rgb, [ni, nj, 1, 3]);
}

/** Writes the overlay of `heat` on `image` as a PNG. */
export async function writeOverlay(image: Image, heat: Image, path: string): Promise<void> {
  await writePng(overlayImage(image, heat), path);
}

/** The files of one explained image: the heatmap, its overlay on the input and, when asked, its pseudo-mask. */
import type { Image } from '../io/image.js';
import { writeImage } from '../io/write.js';
import type { ExplainedImage } from './explain.js';
import { pseudoMask } from './heatmap.js';
import { writeOverlay } from './overlay.js';

/**
 * Writes `BASE.nii.gz` (the normalised heatmap on the input's grid), `BASE.png` (its overlay on the input) and,
 * with a mask threshold, `BASE_mask.nii.gz`; returns the entry that lists them.
 */
export async function writeExplanation(
  image: Image,
  heat: Image,
  base: string,
  what: Pick<ExplainedImage, 'input' | 'classIndex' | 'className'>,
  maskThreshold?: number,
): Promise<ExplainedImage> {
  await writeImage(heat, `${base}.nii.gz`);
  await writeOverlay(image, heat, `${base}.png`);
  const entry: ExplainedImage = { ...what, heatmap: `${base}.nii.gz`, overlay: `${base}.png` };
  if (maskThreshold !== undefined) {
    entry.mask = `${base}_mask.nii.gz`;
    await writeImage(pseudoMask(heat, maskThreshold), entry.mask);
  }
  return entry;
}

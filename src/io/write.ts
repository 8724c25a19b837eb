/** `writeImage(image, path)`: the format is chosen by the file name; every write is atomic. */
import { FileFormatError } from '../util/errors.js';
import type { Image } from './image.js';
import { writeMetaImage } from './metaimage/write.js';
import { writeNifti } from './nifti/write.js';
import { writeNrrd } from './nrrd/write.js';
import { writePng } from './raster.js';

import { WRITABLE_EXTENSIONS } from './extensions.js';

export { WRITABLE_EXTENSIONS };

/**
 * Writes an image in the format its file name asks for: `.nii`/`.nii.gz` (NIfTI-1, qform and sform set),
 * `.nrrd`/`.nhdr`, `.mha`/`.mhd` or `.png` (2D, 8/16-bit). The geometry is kept: reading the file back
 * gives the same world positions. The write is atomic (a temporary name, then a rename).
 *
 * @param image the voxels and geometry to write
 * @param path the destination; its ending chooses the format (`WRITABLE_EXTENSIONS`)
 * @throws FileFormatError naming the path for an ending that cannot be written, or an image the format cannot hold
 *
 * @example
 * ```ts
 * import { createImage, writeImage } from 'vesalius/io';
 * const mask = createImage(new Uint8Array(64 * 64 * 10), [64, 64, 10], { spacing: [0.8, 0.8, 3] });
 * await writeImage(mask, 'mask.nii.gz');
 * ```
 */
export async function writeImage(image: Image, path: string): Promise<void> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return writeNifti(image, path);
  if (lower.endsWith('.nrrd') || lower.endsWith('.nhdr')) return writeNrrd(image, path);
  if (lower.endsWith('.mha') || lower.endsWith('.mhd')) return writeMetaImage(image, path);
  if (lower.endsWith('.png')) return writePng(image, path);
  throw new FileFormatError(path, `cannot write this format; use one of ${WRITABLE_EXTENSIONS.join(', ')}`);
}

/** `writeImage(image, path)`: the format is chosen by the file name; every write is atomic. */
import { FileFormatError } from '../util/errors.js';
import type { Image } from './image.js';
import { writeMetaImage } from './metaimage/write.js';
import { writeNifti } from './nifti/write.js';
import { writeNrrd } from './nrrd/write.js';
import { writePng } from './raster.js';

import { WRITABLE_EXTENSIONS } from './extensions.js';

export { WRITABLE_EXTENSIONS };

export async function writeImage(image: Image, path: string): Promise<void> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return writeNifti(image, path);
  if (lower.endsWith('.nrrd') || lower.endsWith('.nhdr')) return writeNrrd(image, path);
  if (lower.endsWith('.mha') || lower.endsWith('.mhd')) return writeMetaImage(image, path);
  if (lower.endsWith('.png')) return writePng(image, path);
  throw new FileFormatError(path, `cannot write this format; use one of ${WRITABLE_EXTENSIONS.join(', ')}`);
}

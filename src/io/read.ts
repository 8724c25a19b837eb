/** `readImage(path)`: any supported file, or a DICOM folder, to an LPS `Image`. */
import { readDicomImage } from './dicom-bridge.js';
import { detectFormat } from './format.js';
import type { Image } from './image.js';
import { readMetaImage } from './metaimage/read.js';
import { readNifti } from './nifti/read.js';
import { readNrrd } from './nrrd/read.js';
import { readRaster } from './raster.js';
import type { ReadOptions } from './read-options.js';

export { LABEL_MAP, type ImageReader, type ReadOptions } from './read-options.js';

/**
 * Reads any supported image file, or a DICOM series from a folder, as an `Image` in LPS world
 * coordinates: NIfTI-1/2 and Analyze, NRRD, MetaImage, DICOM (every common transfer syntax, series
 * assembled by slice position, enhanced multi-frame) and PNG/JPEG/TIFF/GIF/WebP rasters. The format
 * comes from the file name's ending, else from the file's first bytes; a folder is a DICOM series.
 *
 * @param path a file, or a folder holding one DICOM series
 * @param options how rasters are read; `LABEL_MAP` reads indexed-colour label maps as palette indices
 * @returns the voxels with their spacing, origin and direction (LPS, mm)
 * @throws FileFormatError naming the path when the file is missing, unreadable, truncated or not an image
 *
 * @example
 * ```ts
 * import { LABEL_MAP, orientationCode, readImage } from 'vesalius/io';
 * const ct = await readImage('ct.nii.gz');
 * console.log(ct.shape, ct.spacing, orientationCode(ct.direction));
 * const labels = await readImage('labels.png', LABEL_MAP);
 * ```
 */
export async function readImage(path: string, options: ReadOptions = {}): Promise<Image> {
  switch (detectFormat(path)) {
    case 'nifti':
      return readNifti(path);
    case 'nrrd':
      return readNrrd(path);
    case 'metaimage':
      return readMetaImage(path);
    case 'raster':
      return readRaster(path, options);
    case 'dicom':
      return readDicomImage(path);
  }
}

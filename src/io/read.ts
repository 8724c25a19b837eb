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

/** The image I/O layer: the `Image` type, readers/writers for every format, geometry helpers. */
export * from './image.js';
export { readImage, LABEL_MAP, type ImageReader, type ReadOptions } from './read.js';
export { writeImage } from './write.js';
export { IMAGE_EXTENSIONS, WRITABLE_EXTENSIONS, imageExtension, formatByName } from './extensions.js';
export { caseIdOf, DEFAULT_CASE_SUFFIXES } from './case-id.js';
export { detectFormat, type ImageFormat } from './format.js';
export {
  worldToIndex,
  orientationCode,
  oppositeOrientation,
  parseOrientationCode,
  type Geometry,
} from './geometry.js';
export type { LpsGeometry } from './nifti/affine.js';
export type { NiftiHeader } from './nifti/header.js';
export { reorient, permuteAxes, axisMapping, type AxisMapping } from './reorient.js';
export { resampleOnto, resampleToSpacing, type Grid, type Interpolation, type ResampleOptions } from './resample.js';
export { readNifti, readNiftiHeader } from './nifti/read.js';
export { writeNifti, encodeNifti, type NiftiWriteOptions } from './nifti/write.js';
export { readNrrd } from './nrrd/read.js';
export { writeNrrd, type NrrdWriteOptions } from './nrrd/write.js';
export { readMetaImage } from './metaimage/read.js';
export { writeMetaImage, type MetaImageWriteOptions } from './metaimage/write.js';
export { readRaster, writePng, encodePng } from './raster.js';
export { intensityStats, type IntensityStats } from './voxels.js';
export { summarize, type ImageSummary } from './summary.js';
export { readNpz, parseNpy, type NpyArray, type NpyData } from './npz.js';

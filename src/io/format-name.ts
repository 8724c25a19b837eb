/** The image formats Vesalius reads; each has one reader in this folder. */
export type ImageFormat = 'nifti' | 'nrrd' | 'metaimage' | 'raster' | 'dicom';

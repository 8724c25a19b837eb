/**
 * The one table of image file name endings: which format reads each, and which ones Vesalius writes.
 * Everything that lists, detects or filters image files by name derives from it.
 */
import type { ImageFormat } from './format-name.js';

interface Ending {
  readonly ending: string;
  readonly format: ImageFormat;
  readonly writable: boolean;
}

// BMP is absent on purpose: sharp's libvips has no BMP loader.
const ENDINGS: readonly Ending[] = [
  { ending: '.nii.gz', format: 'nifti', writable: true },
  { ending: '.nii', format: 'nifti', writable: true },
  { ending: '.hdr.gz', format: 'nifti', writable: false },
  { ending: '.hdr', format: 'nifti', writable: false },
  { ending: '.img.gz', format: 'nifti', writable: false },
  { ending: '.img', format: 'nifti', writable: false },
  { ending: '.nrrd', format: 'nrrd', writable: true },
  { ending: '.nhdr', format: 'nrrd', writable: true },
  { ending: '.mha', format: 'metaimage', writable: true },
  { ending: '.mhd', format: 'metaimage', writable: true },
  { ending: '.png', format: 'raster', writable: true },
  { ending: '.jpg', format: 'raster', writable: false },
  { ending: '.jpeg', format: 'raster', writable: false },
  { ending: '.tif', format: 'raster', writable: false },
  { ending: '.tiff', format: 'raster', writable: false },
  { ending: '.gif', format: 'raster', writable: false },
  { ending: '.webp', format: 'raster', writable: false },
  { ending: '.dcm.gz', format: 'dicom', writable: false },
  { ending: '.dcm', format: 'dicom', writable: false },
  { ending: '.dicom', format: 'dicom', writable: false },
  { ending: '.ima', format: 'dicom', writable: false },
];

const byLength = (a: string, b: string) => b.length - a.length;

/** File name endings read as images, longest first so that ".nii.gz" wins over ".gz". */
export const IMAGE_EXTENSIONS: readonly string[] = ENDINGS.map((e) => e.ending).sort(byLength);

/** File name endings `writeImage` writes. */
export const WRITABLE_EXTENSIONS: readonly string[] = ENDINGS.filter((e) => e.writable).map((e) => e.ending);

/**
 * The ending of `name` among `extensions` (case-insensitive; the longest that matches), or undefined.
 *
 * @param name - a file name or path
 * @param extensions - the endings to try (default: every readable image ending)
 */
export function imageExtension(name: string, extensions: readonly string[] = IMAGE_EXTENSIONS): string | undefined {
  const lower = name.toLowerCase();
  return [...extensions].sort(byLength).find((e) => lower.endsWith(e.toLowerCase()));
}

/** The format that reads `path`, judged by its name alone, or undefined for an unknown ending. */
export function formatByName(path: string): ImageFormat | undefined {
  const ending = imageExtension(path);
  return ending === undefined ? undefined : ENDINGS.find((e) => e.ending === ending)?.format;
}

import type { Image } from './image.js';

export interface ReadOptions {
  /**
   * Indexed-colour PNG/GIF whose palette is not all greys: 'colours' (the default) gives RGB; 'indices'
   * gives each pixel's palette index, the class number of a VOC-style label map (PIL and MONAI read them
   * so). Grey palettes give their grey values either way.
   */
  palette?: 'colours' | 'indices';
}

/** How label maps and masks are read (training labels, ROI masks, evaluation's predictions and truth). */
export const LABEL_MAP: ReadOptions = { palette: 'indices' };

/** Reads one image file (src/io's readImage, or any function with its signature). */
export type ImageReader = (path: string, options?: ReadOptions) => Promise<Image>;

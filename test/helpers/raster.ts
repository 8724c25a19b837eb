import sharp from 'sharp';
import { type Image, createImage } from '../../src/io/image.js';

/**
 * A test-only 2D raster reader through sharp: shape [width, height, 1, channels] (channels as the
 * extra axis, planar), unit spacing. Stands in for the io layer's readImage in data tests.
 */
export async function readRasterForTest(path: string): Promise<Image> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const planar = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) planar[p + width * height * c] = data[p * channels + c]!;
  return createImage(planar, channels === 1 ? [width, height, 1] : [width, height, 1, channels]);
}

/** Like readRasterForTest but keeps only the first channel (grey masks decoded as RGB). */
export async function readMaskForTest(path: string): Promise<Image> {
  const img = await readRasterForTest(path);
  const n = img.shape[0]! * img.shape[1]!;
  return createImage(img.data.slice(0, n), [img.shape[0]!, img.shape[1]!, 1]);
}

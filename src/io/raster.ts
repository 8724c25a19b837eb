/**
 * 2D rasters (PNG, JPEG, TIFF, GIF, WebP, BMP-free formats that libvips reads) through sharp.
 *
 * Reading: pixels keep their stored depth (8/16-bit integer, or float for float TIFFs); x is i and
 * y (downwards, as stored) is j; spacing 1, origin 0, identity direction. Grey images have shape
 * [w, h, 1]; colour images [w, h, 1, c] with channels as the last axis. Palette images (GIF,
 * 8-bit PNG) lose the alpha channel libvips adds when it is opaque everywhere, and a palette of
 * greys (the DRIVE masks are such GIFs) is read as one grey channel. With `palette: 'indices'` (how
 * label maps are read) a palette of other colours gives each pixel's palette index instead: the class
 * number of a VOC-style label PNG, as PIL and MONAI read it. A multi-page TIFF
 * becomes a stack: [w, h, pages(, c)].
 * Writing: PNG, grey or RGB(A), 8-bit (uint8, or integer values in 0..255) or 16-bit (uint16, or
 * integer values in 0..65535).
 */
import { readFileSync } from 'node:fs';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { FileFormatError, ShapeError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { channelsFirst, channelsLast } from './axes.js';
import { createImage, dtypeOf, type DType, type Image, type VoxelArray } from './image.js';
import { paletteIndices, readPaletteTable } from './raster-palette.js';
import type { ReadOptions } from './read-options.js';
import { decodeVoxels, HOST_IS_LITTLE_ENDIAN } from './voxels.js';

const DEPTHS: Record<string, DType> = {
  uchar: 'uint8',
  char: 'int8',
  ushort: 'uint16',
  short: 'int16',
  uint: 'uint32',
  int: 'int32',
  float: 'float32',
  double: 'float64',
};

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/**
 * Reads a 2D raster (PNG, JPEG, TIFF, GIF, WebP) through libvips: grey images as one channel, colour
 * images with the channels as an extra axis; unit spacing and the identity direction (i along a row, j
 * down the rows, a multi-page TIFF's pages along k).
 * @param options `palette: 'indices'` (`LABEL_MAP`) reads an indexed-colour image as its palette indices
 * @throws FileFormatError naming the file when libvips cannot read it
 */
export async function readRaster(path: string, options: ReadOptions = {}): Promise<Image> {
  let metadata: Metadata;
  try {
    metadata = await sharp(path).metadata();
  } catch (err) {
    throw new FileFormatError(path, `cannot read as a raster image (${reason(err)})`);
  }
  const depthName = metadata.depth ?? 'uchar';
  const dtype = DEPTHS[depthName];
  if (!dtype) throw new FileFormatError(path, `unsupported raster sample type '${depthName}'`);
  const pages = metadata.pages && metadata.pages > 1 && metadata.format === 'tiff' ? metadata.pages : 1;
  let pipeline = sharp(path, { pages: pages > 1 ? -1 : 1 });
  const channelsIn = metadata.channels ?? 3;
  if (channelsIn <= 2 && !metadata.isPalette) {
    pipeline = pipeline.toColourspace(dtype === 'uint16' ? 'grey16' : 'b-w');
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: depthName as 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new FileFormatError(path, `cannot decode the raster image (${reason(err)})`);
  }
  const { width, channels } = raw.info;
  const height = pages > 1 ? (metadata.pageHeight ?? raw.info.height / pages) : raw.info.height;
  const count = width * raw.info.height * channels;
  let data: VoxelArray = decodeVoxels(raw.data, 0, dtype, count, HOST_IS_LITTLE_ENDIAN);
  let c: number = channels;
  if (metadata.isPalette && (c === 2 || c === 4) && opaque(data, c)) {
    // libvips expands palettes (GIF always) to RGBA; an alpha that is opaque everywhere carries nothing.
    data = dropLastChannel(data, c);
    c -= 1;
  }
  if (metadata.isPalette && c === 3 && isGrey(data, c)) {
    data = takeFirstChannel(data, c);
    c = 1;
  } else if (metadata.isPalette && options.palette === 'indices') {
    if (c !== 3 || pages > 1)
      throw new FileFormatError(
        path,
        'palette indices need an opaque single-page image (this one has transparency or several pages)',
      );
    data = paletteIndices(path, data, readPaletteTable(path, readFileSync(path)));
    c = 1;
  }
  const spatial = [width, height, pages];
  const planar = channelsLast(data, spatial, c);
  return createImage(planar, c > 1 ? [...spatial, c] : spatial, {
    meta: { format: metadata.format ?? 'raster', 'raster.channels': c, 'raster.depth': depthName },
  });
}

/** True when every pixel has equal R, G and B. */
function isGrey(data: VoxelArray, channels: number): boolean {
  for (let n = 0; n < data.length; n += channels) {
    if (data[n] !== data[n + 1] || data[n] !== data[n + 2]) return false;
  }
  return true;
}

/** True when the last (alpha) channel is at its maximum everywhere. */
function opaque(data: VoxelArray, channels: number): boolean {
  const full = data instanceof Uint16Array ? 65535 : 255;
  for (let n = channels - 1; n < data.length; n += channels) if (data[n] !== full) return false;
  return true;
}

function dropLastChannel(data: VoxelArray, channels: number): VoxelArray {
  const out = new (data.constructor as { new (n: number): VoxelArray })((data.length / channels) * (channels - 1));
  for (let n = 0, o = 0; n < data.length; n += channels) for (let c = 0; c < channels - 1; c++) out[o++] = data[n + c]!;
  return out;
}

function takeFirstChannel(data: VoxelArray, channels: number): VoxelArray {
  const out = new (data.constructor as { new (n: number): VoxelArray })(data.length / channels);
  for (let n = 0, s = 0; n < out.length; n++, s += channels) out[n] = data[s]!;
  return out;
}

/** The PNG depth an image's values fit, or a ShapeError explaining why they do not. */
function pngDepth(image: Image): 8 | 16 {
  const t = dtypeOf(image.data);
  if (t === 'uint8') return 8;
  if (t === 'uint16') return 16;
  let max = 0;
  for (let n = 0; n < image.data.length; n++) {
    const v = image.data[n]!;
    if (!(v >= 0 && v <= 65535 && Number.isInteger(v))) {
      throw new ShapeError(`PNG holds integers 0..65535; the ${t} image has the value ${v} (rescale or cast it first)`);
    }
    if (v > max) max = v;
  }
  return max <= 255 ? 8 : 16;
}

/** Encodes a 2D grey (k = 1, no extra axis) or RGB/RGBA ([w, h, 1, 3|4]) image as PNG bytes. */
export async function encodePng(image: Image): Promise<Buffer> {
  const [width, height, depthK] = image.shape as [number, number, number];
  const extra = image.shape.slice(3);
  const channels = extra.length === 0 ? 1 : extra[0]!;
  if (depthK !== 1 || extra.length > 1 || channels > 4) {
    throw new ShapeError(`PNG needs a 2D image with 1-4 channels, shape is [${image.shape.join(', ')}]`);
  }
  const bits = pngDepth(image);
  const interleaved = channels > 1 ? channelsFirst(image.data, image.shape) : image.data;
  const pixels = bits === 8 ? Uint8Array.from(interleaved) : Uint16Array.from(interleaved);
  const raw = { width, height, channels: channels as 1 | 2 | 3 | 4 };
  let pipeline = sharp(pixels, { raw });
  if (bits === 16) pipeline = pipeline.toColourspace(channels <= 2 ? 'grey16' : 'rgb16');
  else if (channels <= 2) pipeline = pipeline.toColourspace('b-w');
  return pipeline.png().toBuffer();
}

/**
 * Writes a 2D image (k = 1; grey, or RGB(A) channels on an extra axis) as an 8-bit or 16-bit PNG, atomically.
 * @throws ShapeError when the image is not 2D with 1–4 channels, or its values do not fit 8 or 16 bits
 */
export async function writePng(image: Image, path: string): Promise<void> {
  writeFileAtomic(path, await encodePng(image));
}

/**
 * From an image of any size, channel count and geometry to the network's fixed input (C, [D,] H, W):
 * channels made uniform (kept, grey, RGB or the green channel of a fundus photograph), optionally
 * matched to a reference image's histogram (scanner differences) and equalised by CLAHE (both at the
 * image's own resolution, before any resize), intensities scaled (8-bit by 255, others to [0, 1] by
 * their range, z-score, or a window), then resized to the
 * input size — stretched, or letterboxed (aspect kept, zero padding around). Down-sizing averages
 * areas (no aliasing); up-sizing interpolates (bi/trilinear, half-voxel aligned).
 *
 * The result carries the geometry of the network's input grid (spacing scaled, origin shifted by the
 * resize and the padding), so a heatmap made on that grid can be resampled onto the input in world
 * coordinates (explain).
 */
import { existsSync } from 'node:fs';
import * as ve from '../../engine/index.js';
import type { Grid } from '../../io/resample.js';
import type { Image, Mat3, Vec3 } from '../../io/image.js';
import { readImage } from '../../io/read.js';
import { FileFormatError, OptionError, ShapeError, VesaliusError } from '../../util/errors.js';
import { type ClaheOptions, checkClaheOptions, clahe } from './clahe.js';
import { type HistogramTemplate, histogramTemplate, matchHistograms } from './histogram-match.js';

export type ChannelMode = 'keep' | 'gray' | 'rgb' | 'green';
export type IntensityMode = 'auto' | 'minmax' | 'zscore' | 'none' | { window: [number, number] };

export interface InputSpec {
  /** Network input size in tensor order ([H, W] or [D, H, W]). */
  size: number[];
  fit: 'resize' | 'letterbox';
  channels: ChannelMode;
  intensity: IntensityMode;
  /** CLAHE after the channel conversion (2D only); null or absent: none. */
  clahe?: ClaheOptions | null;
  /** The reference histogram every image is matched to (see `loadHistogramTemplate`); null or absent: none. */
  histogramMatch?: HistogramTemplate | null;
}

export interface PreparedInput {
  /** (C, ...size) float32. */
  data: Float32Array;
  channels: number;
  /** Geometry of the input grid (image order i, j, k as in `Image`). */
  grid: Grid;
}

/** The image's channels (extra axes after k) and spatial shape. */
export function channelsOf(image: Image): number {
  return image.shape.slice(3).reduce((a, b) => a * b, 1);
}

function convertChannels(x: ve.Tensor, mode: ChannelMode, where: string): ve.Tensor {
  const c = x.shape[0]!;
  if (mode === 'green' && c < 3)
    throw new OptionError('input.channels', `'green' needs an RGB image, but ${where} has ${c} channel(s)`);
  if (mode === 'keep' || (c === 1 && mode !== 'rgb')) return x;
  if (mode === 'rgb') {
    if (c === 1) return x.expand([3, ...x.shape.slice(1)]).contiguous();
    if (c === 3) return x;
    if (c === 4) return x.narrow(0, 0, 3);
  } else if (c === 3 || c === 4) {
    if (mode === 'green') return x.narrow(0, 1, 1);
    // ITU-R BT.601 luma, as PIL's convert('L') and torchvision's rgb_to_grayscale
    const [r, g, b] = x.narrow(0, 0, 3).unbind(0);
    return r!.mul(0.299).add(g!.mul(0.587)).add(b!.mul(0.114)).unsqueeze(0);
  }
  throw new ShapeError(`${where}: ${c} channels cannot be made ${mode} (expected 1, 3 or 4)`);
}

function scaleIntensity(x: ve.Tensor, mode: IntensityMode, eightBit: boolean): ve.Tensor {
  if (mode === 'none') return x;
  if (typeof mode === 'object') {
    const [lo, hi] = mode.window;
    return x
      .clamp(lo, hi)
      .sub(lo)
      .div(hi - lo);
  }
  if (mode === 'auto' && eightBit) return x.div(255);
  if (mode === 'zscore') {
    const std = x.std().item();
    return x.sub(x.mean()).div(std > 0 ? std : 1);
  }
  const lo = x.min().item(),
    hi = x.max().item();
  return hi > lo ? x.sub(lo).div(hi - lo) : x.sub(lo);
}

/** Makes the network input from an image; `where` names it in errors. */
export function prepareInput(image: Image, spec: InputSpec, where: string): PreparedInput {
  const dims = spec.size.length;
  if (dims !== 2 && dims !== 3) throw new OptionError('input.size', `must have 2 or 3 axes, got ${spec.size.length}`);
  const [ni, nj, nk] = image.shape as [number, number, number];
  if (dims === 2 && nk !== 1)
    throw new ShapeError(`${where}: a 3D image (${ni}×${nj}×${nk}) for a 2D network (input.size has 2 axes)`);
  const spatial = dims === 2 ? [nj, ni] : [nk, nj, ni];
  const c = channelsOf(image);
  return ve.tidy(() => {
    let x = ve.Tensor.from(Float32Array.from(image.data as ArrayLike<number>), [c, ...spatial]);
    x = convertChannels(x, spec.channels, where);
    let eightBit = image.data instanceof Uint8Array;
    if (spec.histogramMatch || spec.clahe) {
      const cc = x.shape[0]!;
      let values = x.contiguous().toArray() as Float32Array;
      if (spec.histogramMatch) {
        values = matchHistograms(values, cc, spec.histogramMatch, where);
        eightBit = spec.histogramMatch.eightBit;
      }
      if (spec.clahe) {
        if (dims !== 2) throw new OptionError('input.clahe', 'applies to 2D inputs (input.size has 3 axes)');
        checkClaheOptions(spec.clahe, 'input.clahe');
        // in [0, 1] from here: 'auto' rescales by the range, which leaves it as it is
        values = clahe(values, cc, nj, ni, spec.clahe);
        eightBit = false;
      }
      x = ve.Tensor.from(values, x.shape);
    }
    x = scaleIntensity(x, spec.intensity, eightBit);
    const { tensor, scale, offset } = fitToSize(x, spec);
    // grid geometry: voxel o of the input grid sits at index (o − offset + ½)·(1/scale) − ½ of the image
    const tensorToImage = (v: number[]) => [...v].reverse();
    const s = tensorToImage(scale);
    const off = tensorToImage(offset);
    const spacing = [0, 1, 2].map((a) => (a < dims ? image.spacing[a]! / s[a]! : image.spacing[a]!)) as Vec3;
    const firstIndex = [0, 1, 2].map((a) => (a < dims ? (0.5 - off[a]!) / s[a]! - 0.5 : 0));
    const d = image.direction;
    const origin = [0, 1, 2].map(
      (r) =>
        image.origin[r]! +
        d[3 * r]! * image.spacing[0] * firstIndex[0]! +
        d[3 * r + 1]! * image.spacing[1] * firstIndex[1]! +
        d[3 * r + 2]! * image.spacing[2] * firstIndex[2]!,
    ) as Vec3;
    const shape = [...tensorToImage(spec.size), ...(dims === 2 ? [1] : [])];
    return {
      data: tensor.contiguous().toArray() as Float32Array,
      channels: tensor.shape[0]!,
      grid: { shape, spacing, origin, direction: [...d] as Mat3 },
    };
  });
}

/** Resized (and padded) tensor with the scale factor and padding offset per tensor axis. */
function fitToSize(x: ve.Tensor, spec: InputSpec): { tensor: ve.Tensor; scale: number[]; offset: number[] } {
  const from = x.shape.slice(1);
  const size = spec.size;
  let scaled = size.map((s, a) => s / from[a]!);
  let target = [...size];
  if (spec.fit === 'letterbox') {
    const f = Math.min(...scaled);
    target = from.map((n) => Math.max(1, Math.round(n * f)));
    scaled = target.map((t, a) => t / from[a]!);
  }
  let t = x;
  if (!target.every((n, a) => n === from[a])) {
    const shrink = target.every((n, a) => n <= from[a]!);
    const mode = shrink ? 'area' : from.length === 2 ? 'bilinear' : 'trilinear';
    t = ve.interpolate(x.unsqueeze(0), { size: target, mode, alignCorners: false }).squeeze(0);
  }
  const offset = size.map((s, a) => Math.floor((s - target[a]!) / 2));
  if (offset.some((o, a) => o > 0 || target[a] !== size[a])) {
    const pads: number[] = [];
    for (let a = size.length - 1; a >= 0; a--) pads.push(offset[a]!, size[a]! - target[a]! - offset[a]!);
    t = ve.pad(t, pads, 'constant', 0);
  }
  return { tensor: t, scale: scaled, offset };
}

/**
 * Reads the histogram-matching reference image and makes its template, with the channels converted
 * as the inputs' are (`mode`).
 * @param path the reference image
 * @param mode the input channel mode
 * @param option the config key that named it, for messages
 * @returns the reference's histogram template
 * @throws FileFormatError naming the file (and the option) when it is missing or unreadable
 */
export async function loadHistogramTemplate(
  path: string,
  mode: ChannelMode,
  option = 'input.histogram_match',
): Promise<HistogramTemplate> {
  if (!existsSync(path)) throw new FileFormatError(path, `not found (${option})`);
  let image: Image;
  try {
    image = await readImage(path);
  } catch (err) {
    const reason = err instanceof FileFormatError ? err.reason : (err as Error).message;
    throw new FileFormatError(path, `cannot be read as an image (${option}): ${reason}`);
  }
  const [ni, nj, nk] = image.shape as [number, number, number];
  const c = channelsOf(image);
  return ve.tidy(() => {
    const x = ve.Tensor.from(Float32Array.from(image.data as ArrayLike<number>), [c, nk, nj, ni]);
    let converted: ve.Tensor;
    try {
      converted = convertChannels(x, mode, path);
    } catch (err) {
      if (err instanceof VesaliusError) throw new OptionError(option, err.message);
      throw err;
    }
    const values = converted.contiguous().toArray() as Float32Array;
    return histogramTemplate(values, converted.shape[0]!, path, image.data instanceof Uint8Array);
  });
}

/**
 * Intensity normalisation schemes (nnU-Net's), per channel, on typed arrays; Float32Array out.
 *
 * - 'ct': clip to the dataset's foreground [0.5, 99.5] percentiles, then z-score with the dataset's
 *   global foreground mean/std (from the fingerprint) — for CT, whose intensities are calibrated.
 * - 'zscore': per-case z-score (mean/std of this image; only inside `mask` when given, with 0 outside).
 *   nnU-Net's default for every other modality, and ours for 2D rasters too.
 * - 'rgb_to_0_1': divide by 255 (8-bit photographs), values must lie in [0, 255].
 * - 'rescale_to_0_1': (x − min)/(max − min) per case.
 * - 'none': cast only.
 */
import { OptionError, VesaliusError } from '../util/errors.js';

export const NORMALIZATION_SCHEMES = ['ct', 'zscore', 'rgb_to_0_1', 'rescale_to_0_1', 'none'] as const;
export type NormalizationScheme = (typeof NORMALIZATION_SCHEMES)[number];

/** Dataset-wide foreground statistics that 'ct' needs. */
export interface ForegroundStats {
  mean: number;
  std: number;
  percentile_00_5: number;
  percentile_99_5: number;
}

/** nnU-Net's channel-name rule: 'CT' → ct, 'noNorm' → none, 'rgb_to_0_1', 'rescale_to_0_1', 'zscore'; anything else → zscore. */
export function schemeForChannel(name: string): NormalizationScheme {
  const n = name.toLowerCase().replace(/[\s-]/g, '_');
  if (n === 'ct') return 'ct';
  if (n === 'nonorm' || n === 'none') return 'none';
  if (n === 'rgb_to_0_1') return 'rgb_to_0_1';
  if (n === 'rescale_to_0_1') return 'rescale_to_0_1';
  return 'zscore';
}

const EPS = 1e-8;

export interface NormalizeOptions {
  /** Required for 'ct'. */
  stats?: ForegroundStats;
  /** For 'zscore': compute statistics inside the mask only and set voxels outside to 0 (nnU-Net's use_mask_for_norm). */
  mask?: ArrayLike<number>;
  /** Named in error messages. */
  what?: string;
}

/** Normalises one channel. */
export function normalizeChannel(
  data: ArrayLike<number>,
  scheme: NormalizationScheme,
  options: NormalizeOptions = {},
): Float32Array {
  const n = data.length;
  const out = new Float32Array(n);
  switch (scheme) {
    case 'none':
      for (let v = 0; v < n; v++) out[v] = data[v]!;
      return out;
    case 'ct': {
      const s = options.stats;
      if (!s)
        throw new OptionError('normalization', `'ct' needs the dataset's foreground statistics (run the fingerprint)`);
      const lo = s.percentile_00_5,
        hi = s.percentile_99_5,
        mean = s.mean,
        std = Math.max(s.std, EPS);
      for (let v = 0; v < n; v++) {
        const x = Math.min(hi, Math.max(lo, data[v]!));
        out[v] = (x - mean) / std;
      }
      return out;
    }
    case 'zscore': {
      const mask = options.mask;
      if (mask && mask.length !== n)
        throw new OptionError('normalization', `mask has ${mask.length} voxels, image has ${n}`);
      let sum = 0,
        count = 0;
      for (let v = 0; v < n; v++)
        if (!mask || mask[v]) {
          sum += data[v]!;
          count++;
        }
      if (count === 0) return out; // empty mask: everything outside, all zeros
      const mean = sum / count;
      let sq = 0;
      for (let v = 0; v < n; v++)
        if (!mask || mask[v]) {
          const d = data[v]! - mean;
          sq += d * d;
        }
      const std = Math.max(Math.sqrt(sq / count), EPS);
      for (let v = 0; v < n; v++) out[v] = !mask || mask[v] ? (data[v]! - mean) / std : 0;
      return out;
    }
    case 'rgb_to_0_1': {
      for (let v = 0; v < n; v++) {
        const x = data[v]!;
        if (!(x >= 0 && x <= 255))
          throw new VesaliusError(`${options.what ?? 'image'}: 'rgb_to_0_1' needs values in [0, 255], found ${x}`);
        out[v] = x / 255;
      }
      return out;
    }
    case 'rescale_to_0_1': {
      let lo = Infinity,
        hi = -Infinity;
      for (let v = 0; v < n; v++) {
        const x = data[v]!;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const range = Math.max(hi - lo, EPS);
      for (let v = 0; v < n; v++) out[v] = (data[v]! - lo) / range;
      return out;
    }
    default:
      throw new OptionError(
        'normalization',
        `unknown scheme '${scheme as string}' (one of ${NORMALIZATION_SCHEMES.join(', ')})`,
      );
  }
}

/**
 * Normalises a multi-channel array (shape [i, j, k, ...extra], channels along the extra axes), one
 * scheme per channel.
 */
export function normalizeChannels(
  data: ArrayLike<number>,
  voxelsPerChannel: number,
  schemes: readonly NormalizationScheme[],
  options: { stats?: readonly (ForegroundStats | undefined)[]; mask?: ArrayLike<number> } = {},
): Float32Array {
  const channels = data.length / voxelsPerChannel;
  if (!Number.isInteger(channels) || channels !== schemes.length) {
    throw new OptionError('normalization', `${schemes.length} schemes for ${channels} channels`);
  }
  const out = new Float32Array(data.length);
  const view = (c: number) =>
    ArrayBuffer.isView(data)
      ? (data as unknown as Float32Array).subarray(c * voxelsPerChannel, (c + 1) * voxelsPerChannel)
      : Array.prototype.slice.call(data, c * voxelsPerChannel, (c + 1) * voxelsPerChannel);
  for (let c = 0; c < channels; c++) {
    out.set(
      normalizeChannel(view(c), schemes[c]!, { stats: options.stats?.[c], mask: options.mask, what: `channel ${c}` }),
      c * voxelsPerChannel,
    );
  }
  return out;
}

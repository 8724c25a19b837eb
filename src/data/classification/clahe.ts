/**
 * Contrast-limited adaptive histogram equalisation of a 2D image, defined exactly as scikit-image's
 * `exposure.equalize_adapthist` (0.19, after Zuiderveld, Graphics Gems IV): the image is rescaled to
 * 2¹⁴ grey levels (rounded half to even), reflect-padded so that a grid of contextual regions
 * (`kernel` pixels each) covers it with half a region before, binned into `bins` bins of
 * 1 + 2¹⁴ div bins levels, each region's histogram clipped at max(1, ⌊clipLimit · region size⌋)
 * (no clipping at 0) with the excess redistributed as skimage's `clip_histogram`, mapped by its
 * cumulative sum, and each pixel interpolated bilinearly between the four neighbouring regions'
 * mappings (float32 sums, truncated to integers). The result is rescaled to [0, 1] by its range.
 *
 * An RGB image is equalised through its HSV value (skimage's `hsv_value` adaptor): V = max(R, G, B)
 * is equalised and every channel scaled by V′/V, which is what HSV → RGB gives with H and S kept.
 */
import { OptionError } from '../../util/errors.js';

/** CLAHE parameters. */
export interface ClaheOptions {
  /** Contextual regions per axis [rows, columns]: region size = max(1, ⌊size / tiles⌋) (skimage's default: 8). */
  tiles: [number, number];
  /** Clip limit normalised to [0, 1] (skimage's `clip_limit`); 0 or 1: no clipping (plain AHE). */
  clipLimit: number;
  /** Histogram bins (skimage's `nbins`), 2..16384. */
  bins: number;
}

const LEVELS = 2 ** 14;

/**
 * Checks CLAHE parameters.
 * @param o the parameters
 * @param option the config key they came from (named in the error)
 * @throws OptionError naming `option`.tiles, .clip_limit or .bins
 */
export function checkClaheOptions(o: ClaheOptions, option: string): void {
  if (!o.tiles.every((t) => Number.isInteger(t) && t >= 1))
    throw new OptionError(`${option}.tiles`, `must be positive integers, got [${o.tiles.join(', ')}]`);
  if (!(o.clipLimit >= 0 && o.clipLimit <= 1))
    throw new OptionError(`${option}.clip_limit`, `must lie in [0, 1], got ${o.clipLimit}`);
  if (!Number.isInteger(o.bins) || o.bins < 2 || o.bins > LEVELS)
    throw new OptionError(`${option}.bins`, `must be an integer in [2, ${LEVELS}], got ${o.bins}`);
}

/** numpy's 'reflect' padding index (the edge is not repeated). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** Round half to even (numpy's round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** skimage's clip_histogram, in place. */
export function clipHistogram(hist: Int32Array, clip: number): void {
  const n = hist.length;
  let excess = 0;
  for (let i = 0; i < n; i++)
    if (hist[i]! > clip) {
      excess += hist[i]! - clip;
      hist[i] = clip;
    }
  const increment = Math.floor(excess / n);
  const upper = clip - increment;
  for (let i = 0; i < n; i++)
    if (hist[i]! < upper) {
      hist[i]! += increment;
      excess -= increment;
    }
  for (let i = 0; i < n; i++)
    if (hist[i]! >= upper && hist[i]! < clip) {
      excess += hist[i]! - clip;
      hist[i] = clip;
    }
  const under = new Uint8Array(n);
  while (excess > 0) {
    const before = excess;
    for (let index = 0; index < n; index++) {
      let count = 0;
      for (let i = 0; i < n; i++) {
        under[i] = hist[i]! < clip ? 1 : 0;
        count += under[i]!;
      }
      const step = Math.max(1, Math.floor(count / excess));
      for (let i = index; i < n; i += step)
        if (under[i]) {
          hist[i]! += 1;
          excess -= 1;
        }
      if (excess <= 0) break;
    }
    if (before === excess) break;
  }
}

/**
 * CLAHE of one channel (rows × cols, row-major) of any value range.
 * @param values the channel
 * @param rows image rows (H)
 * @param cols image columns (W)
 * @param o tiles, clip limit and bins
 * @returns the equalised channel in [0, 1] (a constant image gives a constant one)
 * @example
 * const out = claheChannel(pixels, 584, 565, { tiles: [8, 8], clipLimit: 0.01, bins: 256 });
 */
export function claheChannel(values: ArrayLike<number>, rows: number, cols: number, o: ClaheOptions): Float32Array {
  const n = rows * cols;
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const levels = new Uint16Array(n);
  if (hi > lo) for (let i = 0; i < n; i++) levels[i] = roundHalfEven(((values[i]! - lo) / (hi - lo)) * (LEVELS - 1));
  const k = [Math.max(1, Math.floor(rows / o.tiles[0])), Math.max(1, Math.floor(cols / o.tiles[1]))] as const;
  const size = [rows, cols];
  const start = k.map((ki) => ki >> 1);
  const end = k.map((ki, a) => ((ki - (size[a]! % ki)) % ki) + Math.ceil(ki / 2));
  const [pr, pc] = [rows + start[0]! + end[0]!, cols + start[1]! + end[1]!];
  const binSize = 1 + Math.floor(LEVELS / o.bins);
  const binned = new Uint16Array(pr * pc);
  for (let y = 0; y < pr; y++) {
    const sy = reflect(y - start[0]!, rows);
    for (let x = 0; x < pc; x++)
      binned[y * pc + x] = Math.floor(levels[sy * cols + reflect(x - start[1]!, cols)]! / binSize);
  }
  // one mapping per contextual region; region (a, b) starts half a region into the padded image
  const [hr, hc] = [pr / k[0] - 1, pc / k[1] - 1];
  const region = k[0] * k[1];
  const clip = o.clipLimit > 0 ? Math.floor(Math.max(o.clipLimit * region, 1)) : region;
  const maps: Int32Array[] = [];
  const hist = new Int32Array(o.bins);
  for (let a = 0; a < hr; a++)
    for (let b = 0; b < hc; b++) {
      hist.fill(0);
      for (let y = (k[0] >> 1) + a * k[0], ye = y + k[0]; y < ye; y++)
        for (let x = (k[1] >> 1) + b * k[1], xe = x + k[1]; x < xe; x++) hist[binned[y * pc + x]!]! += 1;
      clipHistogram(hist, clip);
      const map = new Int32Array(o.bins);
      const scale = (LEVELS - 1) / region;
      let sum = 0;
      for (let v = 0; v < o.bins; v++) {
        sum += hist[v]!;
        map[v] = Math.trunc(Math.min(sum * scale, LEVELS - 1));
      }
      maps.push(map);
    }
  const mapAt = (a: number, b: number) =>
    maps[Math.min(hr - 1, Math.max(0, a - 1)) * hc + Math.min(hc - 1, Math.max(0, b - 1))]!;
  const out = new Float32Array(n);
  const f = Math.fround;
  let rlo = Infinity,
    rhi = -Infinity;
  for (let y = start[0]!; y < start[0]! + rows; y++) {
    const by = Math.floor(y / k[0]),
      wy = (y % k[0]) / k[0];
    for (let x = start[1]!; x < start[1]! + cols; x++) {
      const bx = Math.floor(x / k[1]),
        wx = (x % k[1]) / k[1];
      const v = binned[y * pc + x]!;
      let r = 0;
      r = f(r + f(mapAt(by, bx)[v]! * ((1 - wx) * (1 - wy))));
      r = f(r + f(mapAt(by, bx + 1)[v]! * (wx * (1 - wy))));
      r = f(r + f(mapAt(by + 1, bx)[v]! * ((1 - wx) * wy)));
      r = f(r + f(mapAt(by + 1, bx + 1)[v]! * (wx * wy)));
      const t = Math.trunc(r);
      out[(y - start[0]!) * cols + (x - start[1]!)] = t;
      rlo = Math.min(rlo, t);
      rhi = Math.max(rhi, t);
    }
  }
  for (let i = 0; i < n; i++) out[i] = rhi > rlo ? (out[i]! - rlo) / (rhi - rlo) : Math.min(1, Math.max(0, out[i]!));
  return out;
}

/**
 * CLAHE of a (C, rows, cols) image: one channel as it is, RGB through its HSV value, other channel
 * counts channel by channel. The result lies in [0, 1].
 * @param data (C, rows, cols) values of any range
 * @param channels C
 * @param rows image rows (H)
 * @param cols image columns (W)
 * @param o tiles, clip limit and bins
 * @returns the equalised (C, rows, cols) image
 */
export function clahe(data: Float32Array, channels: number, rows: number, cols: number, o: ClaheOptions): Float32Array {
  const n = rows * cols;
  const out = new Float32Array(channels * n);
  if (channels !== 3) {
    for (let c = 0; c < channels; c++) out.set(claheChannel(data.subarray(c * n, (c + 1) * n), rows, cols, o), c * n);
    return out;
  }
  const value = new Float32Array(n);
  for (let i = 0; i < n; i++) value[i] = Math.max(data[i]!, data[n + i]!, data[2 * n + i]!);
  const equalised = claheChannel(value, rows, cols, o);
  // HSV → RGB with H and S kept is linear in V; a black pixel (S = 0) becomes grey V′
  for (let i = 0; i < n; i++) {
    const v = value[i]!;
    for (let c = 0; c < 3; c++) out[c * n + i] = v > 0 ? (data[c * n + i]! / v) * equalised[i]! : equalised[i]!;
  }
  return out;
}

/**
 * Histogram matching to a reference image, defined as scikit-image's `exposure.match_histograms`
 * (per channel): each distinct value of the image goes to the reference value at the same
 * cumulative quantile — the quantiles (cumulative counts / size) of the image's distinct values
 * interpolated linearly (numpy's `interp`, clamped at the ends) in the reference's quantiles and
 * distinct values. Used to even out scanner differences: every image is matched to one reference.
 */
import { ShapeError } from '../../util/errors.js';

/** The reference's distinct values and their cumulative quantiles, per channel. */
export interface HistogramTemplate {
  /** The reference, for messages. */
  source: string;
  channels: Array<{ values: Float64Array; quantiles: Float64Array }>;
  /** Whether the reference was an 8-bit image (its values are then 0..255). */
  eightBit: boolean;
}

/** Distinct values (sorted) with their cumulative quantiles. */
function cumulative(values: ArrayLike<number>): { values: Float64Array; quantiles: Float64Array; inverse: Int32Array } {
  const n = values.length;
  const order = new Int32Array(n).map((_, i) => i);
  order.sort((a, b) => values[a]! - values[b]!);
  const distinct: number[] = [];
  const quantiles: number[] = [];
  const inverse = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const v = values[order[r]!]!;
    if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
    else quantiles.pop();
    quantiles.push((r + 1) / n);
    inverse[order[r]!] = distinct.length - 1;
  }
  return { values: Float64Array.from(distinct), quantiles: Float64Array.from(quantiles), inverse };
}

/**
 * The template of a reference image's channels.
 * @param data (C, …) values
 * @param channels C
 * @param source the reference's name, for messages
 * @param eightBit whether the reference is 8-bit
 * @returns its distinct values and quantiles per channel
 */
export function histogramTemplate(
  data: ArrayLike<number>,
  channels: number,
  source: string,
  eightBit = false,
): HistogramTemplate {
  const per = data.length / channels;
  const out: HistogramTemplate = { source, channels: [], eightBit };
  for (let c = 0; c < channels; c++) {
    const plane = Array.prototype.slice.call(data, c * per, (c + 1) * per) as number[];
    const { values, quantiles } = cumulative(plane);
    out.channels.push({ values, quantiles });
  }
  return out;
}

/** numpy's interp(x, xp, fp) for increasing xp. */
function interp(x: number, xp: Float64Array, fp: Float64Array): number {
  const last = xp.length - 1;
  if (x <= xp[0]!) return fp[0]!;
  if (x >= xp[last]!) return fp[last]!;
  let lo = 0,
    hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const slope = (fp[hi]! - fp[lo]!) / (xp[hi]! - xp[lo]!);
  return slope * (x - xp[lo]!) + fp[lo]!;
}

/**
 * An image's channels matched to a template.
 * @param data (C, …) values
 * @param channels C (must equal the template's)
 * @param template the reference's histogram
 * @param where the image, for messages
 * @returns the matched (C, …) values
 * @throws ShapeError when the channel counts differ
 */
export function matchHistograms(
  data: ArrayLike<number>,
  channels: number,
  template: HistogramTemplate,
  where: string,
): Float32Array {
  if (channels !== template.channels.length)
    throw new ShapeError(
      `${where}: ${channels} channel(s), but the histogram reference ${template.source} has ${template.channels.length}`,
    );
  const per = data.length / channels;
  const out = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    const plane = Array.prototype.slice.call(data, c * per, (c + 1) * per) as number[];
    const src = cumulative(plane);
    const t = template.channels[c]!;
    const mapped = Float64Array.from(src.quantiles, (q) => interp(q, t.quantiles, t.values));
    for (let i = 0; i < per; i++) out[c * per + i] = mapped[src.inverse[i]!]!;
  }
  return out;
}

/**
 * Colour jitter as torchvision's `ColorJitter` defines it, on float images in [0, 1] with 1 or 3
 * channels (C, ...spatial): brightness blends with black, contrast with the mean grey (0.2989 R +
 * 0.587 G + 0.114 B, one mean over the image), saturation with each pixel's grey, each result clamped
 * to [0, 1]; hue shifts H in torchvision's HSV by a fraction of the circle. The four adjustments run
 * in a drawn order; saturation and hue leave a one-channel image alone (as torchvision and PIL do).
 */
import * as ve from '../../engine/index.js';
import { ShapeError } from '../../util/errors.js';
import type { Random } from '../../util/random.js';
import {
  ForwardTransform,
  type RandomTransform,
  type SampleContext,
  type Subject,
  type TransformRecord,
} from '../transform.js';

/** The adjustments in torchvision's numbering (the order of `ColorJitter`'s fn_idx). */
export const JITTER_ADJUSTMENTS = ['brightness', 'contrast', 'saturation', 'hue'] as const;
export type JitterAdjustment = (typeof JITTER_ADJUSTMENTS)[number];

/** Drawn factors (null: that adjustment is skipped) and the order they are applied in. */
export interface ColorJitterParams {
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
  /** A permutation of 0..3 (indices into JITTER_ADJUSTMENTS). */
  order: number[];
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** torchvision's rgb_to_grayscale weights. */
function grey(x: Float32Array, n: number, i: number): number {
  return 0.2989 * x[i]! + 0.587 * x[n + i]! + 0.114 * x[2 * n + i]!;
}

/** (ratio·x + (1 − ratio)·other) clamped to [0, 1], in place; other(i) is per value index. */
function blend(x: Float32Array, ratio: number, other: (i: number) => number): void {
  for (let i = 0; i < x.length; i++) x[i] = clamp01(ratio * x[i]! + (1 - ratio) * other(i));
}

/** torchvision's _rgb2hsv → H shifted by `factor` (mod 1) → _hsv2rgb, in place on (3, n). */
function shiftHue(x: Float32Array, n: number, factor: number): void {
  for (let i = 0; i < n; i++) {
    const r = x[i]!,
      g = x[n + i]!,
      b = x[2 * n + i]!;
    const maxc = Math.max(r, g, b),
      minc = Math.min(r, g, b);
    const eqc = maxc === minc;
    const cr = maxc - minc;
    const s = cr / (eqc ? 1 : maxc);
    const d = eqc ? 1 : cr;
    const rc = (maxc - r) / d,
      gc = (maxc - g) / d,
      bc = (maxc - b) / d;
    let h = 0;
    if (maxc === r) h = bc - gc;
    else if (maxc === g) h = 2 + rc - bc;
    else h = 4 + gc - rc;
    h = (h / 6 + 1) % 1;
    h = (((h + factor) % 1) + 1) % 1;
    const v = maxc;
    const k = Math.floor(h * 6);
    const f = h * 6 - k;
    const p = clamp01(v * (1 - s)),
      q = clamp01(v * (1 - s * f)),
      t = clamp01(v * (1 - s * (1 - f)));
    const sector = ((k % 6) + 6) % 6;
    const rgb = [
      [v, t, p],
      [q, v, p],
      [p, v, t],
      [p, q, v],
      [t, p, v],
      [v, p, q],
    ][sector]!;
    x[i] = rgb[0]!;
    x[n + i] = rgb[1]!;
    x[2 * n + i] = rgb[2]!;
  }
}

/**
 * Applies one torchvision adjustment in place to (C, n) values, C 1 or 3.
 * @param x the values (changed)
 * @param channels C
 * @param which the adjustment
 * @param factor brightness/contrast/saturation factor (≥ 0), or the hue shift in [−0.5, 0.5]
 */
export function adjustColor(x: Float32Array, channels: number, which: JitterAdjustment, factor: number): void {
  const n = x.length / channels;
  if (which === 'brightness') blend(x, factor, () => 0);
  else if (which === 'contrast') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += channels === 3 ? grey(x, n, i) : x[i]!;
    const mean = sum / n;
    blend(x, factor, () => mean);
  } else if (channels === 1) {
    // saturation and hue leave a one-channel image alone (torchvision, PIL)
  } else if (which === 'saturation') {
    const g = Float32Array.from({ length: n }, (_, i) => grey(x, n, i));
    blend(x, factor, (i) => g[i % n]!);
  } else shiftHue(x, n, factor);
}

/** Brightness, contrast, saturation and hue with drawn factors, in a drawn order (this file's comment). */
export class ColorJitter extends ForwardTransform {
  readonly name = 'ColorJitter';
  /**
   * Creates a `ColorJitter`.
   * @param params the factors (null: skipped) and their order
   */
  constructor(readonly params: ColorJitterParams) {
    super();
  }
  apply(s: Subject): Subject {
    const c = s.image.shape[0]!;
    if (c !== 1 && c !== 3) throw new ShapeError(`color jitter needs 1 or 3 channels, the image has ${c}`);
    const x = Float32Array.from(s.image.to({ dtype: 'float32' }).contiguous().toArray() as Float32Array);
    for (const k of this.params.order) {
      const which = JITTER_ADJUSTMENTS[k]!;
      const factor = this.params[which];
      if (factor !== null) adjustColor(x, c, which, factor);
    }
    return { ...s, image: ve.Tensor.from(x, s.image.shape, { device: s.image.device }) };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: structuredClone(this.params) as unknown as Record<string, unknown> };
  }
}

/** Factor ranges as torchvision's ColorJitter takes them after its checks (null: off). */
export interface ColorJitterRanges {
  brightness: [number, number] | null;
  contrast: [number, number] | null;
  saturation: [number, number] | null;
  hue: [number, number] | null;
}

/**
 * torchvision's range of a jitter argument: x → [max(0, 1 − x), 1 + x] (hue: [−x, x]), a pair as it
 * is; null when it leaves the image alone (0, or [1, 1] / [0, 0] for hue).
 * @param which the adjustment
 * @param value a non-negative number or a [low, high] pair
 * @returns the range, or null
 */
export function jitterRange(which: JitterAdjustment, value: number | [number, number]): [number, number] | null {
  const centre = which === 'hue' ? 0 : 1;
  const range: [number, number] =
    typeof value === 'number' ? [which === 'hue' ? -value : Math.max(0, 1 - value), centre + value] : value;
  return range[0] === centre && range[1] === centre ? null : range;
}

/** Samples `ColorJitter`: with probability p, a random order (torchvision's randperm) and each factor uniform in its range. */
export class RandomColorJitter implements RandomTransform {
  readonly name = 'ColorJitter';
  /**
   * Creates a `RandomColorJitter`.
   * @param p probability per sample
   * @param ranges each adjustment's factor range (null: off)
   */
  constructor(
    readonly p: number,
    readonly ranges: ColorJitterRanges,
  ) {}
  sample(rng: Random, _ctx: SampleContext): ColorJitter | null {
    if (!(rng.next() < this.p)) return null;
    if (JITTER_ADJUSTMENTS.every((k) => this.ranges[k] === null)) return null;
    const order = rng.shuffle([0, 1, 2, 3]);
    const draw = (k: JitterAdjustment) => {
      const r = this.ranges[k];
      return r ? rng.uniform(r[0], r[1]) : null;
    };
    return new ColorJitter({
      brightness: draw('brightness'),
      contrast: draw('contrast'),
      saturation: draw('saturation'),
      hue: draw('hue'),
      order,
    });
  }
}

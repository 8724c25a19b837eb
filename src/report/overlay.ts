/**
 * Overlay figures: image | ground truth | prediction | overlay, where the overlay colours true
 * positives green, false positives red (predicted foreground that is wrong, a wrong class included) and
 * false negatives blue, with the case's Dice and Jaccard in the caption. A 3D case shows, in each of the
 * three planes, the slice with the most ground-truth foreground; every panel is drawn in the image's
 * physical aspect ratio (pixel spacing). PNG through sharp.
 */
import sharp, { type OverlayOptions as SharpOverlay } from 'sharp';
import { ShapeError } from '../util/errors.js';

export const OVERLAY_COLOURS = {
  truePositive: [0, 200, 0],
  falsePositive: [235, 30, 30],
  falseNegative: [40, 100, 255],
} as const;

/** Class colours of the label panels (class k uses entry (k − 1) mod length). */
const CLASS_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 200, 0],
  [0, 200, 255],
  [255, 0, 200],
  [120, 255, 60],
  [255, 120, 40],
];

export interface OverlayInput {
  /** Image channels [C, k, j, i] flat (1 channel: grey; 3: RGB). */
  channels: ArrayLike<number>[];
  truth: ArrayLike<number>;
  prediction: ArrayLike<number>;
  shape: [number, number, number];
  spacing: readonly number[];
  caption: string;
}

/** A plane of an overlay figure: its size in voxels, physical aspect, and the voxel behind each pixel. */
export interface Plane {
  name: string;
  w: number;
  h: number;
  /** Physical width / height of the plane in mm. */
  aspect: number;
  /** voxel index of display pixel (x, y) */
  index: (x: number, y: number) => number;
}

/** The planes shown: one for a 2D image; axial, coronal and sagittal through the most foreground for 3D. */
export function overlayPlanes(
  truth: ArrayLike<number>,
  prediction: ArrayLike<number>,
  shape: readonly number[],
  spacing: readonly number[],
): Plane[] {
  const [ni, nj, nk] = shape as [number, number, number];
  const [si, sj, sk] = [spacing[0] ?? 1, spacing[1] ?? 1, spacing[2] ?? 1];
  const at = (i: number, j: number, k: number) => i + ni * (j + nj * k);
  if (nk === 1) return [{ name: '', w: ni, h: nj, aspect: (ni * si) / (nj * sj), index: (x, y) => at(x, y, 0) }];
  const counts = [new Float64Array(ni), new Float64Array(nj), new Float64Array(nk)];
  const source = countNonzero(truth) > 0 ? truth : prediction;
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++)
        if (source[at(i, j, k)]) {
          counts[0]![i]!++;
          counts[1]![j]!++;
          counts[2]![k]!++;
        }
  const best = counts.map((c) => c.reduce((b, v, x) => (v > c[b]! ? x : b), 0));
  const [bi, bj, bk] = best as [number, number, number];
  return [
    { name: `axial k=${bk}`, w: ni, h: nj, aspect: (ni * si) / (nj * sj), index: (x, y) => at(x, y, bk) },
    { name: `coronal j=${bj}`, w: ni, h: nk, aspect: (ni * si) / (nk * sk), index: (x, y) => at(x, bj, nk - 1 - y) },
    { name: `sagittal i=${bi}`, w: nj, h: nk, aspect: (nj * sj) / (nk * sk), index: (x, y) => at(bi, x, nk - 1 - y) },
  ];
}

function countNonzero(a: ArrayLike<number>): number {
  let n = 0;
  for (let v = 0; v < a.length; v++) if (a[v]) n++;
  return n;
}

/** 1st–99th percentile window of a channel (sampled), for display. */
function windowOf(values: ArrayLike<number>): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 20000));
  const sample: number[] = [];
  for (let v = 0; v < values.length; v += step) sample.push(values[v]!);
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(0.01 * (sample.length - 1))]!,
    hi = sample[Math.floor(0.99 * (sample.length - 1))]!;
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

type Panel = { rgb: Uint8Array; w: number; h: number };

function panels(input: OverlayInput, plane: Plane): Panel[] {
  const { w, h } = plane;
  const grey = input.channels.length === 3 ? input.channels : [input.channels[0]!];
  const windows = grey.map(windowOf);
  const base = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = plane.index(x, y);
      for (let c = 0; c < 3; c++) {
        const ch = grey.length === 3 ? c : 0;
        const [lo, hi] = windows[ch]!;
        base[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(((grey[ch]![v]! - lo) / (hi - lo)) * 255)));
      }
    }
  const blend = (out: Uint8Array, p: number, colour: readonly number[], alpha: number) => {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round((1 - alpha) * out[p * 3 + c]! + alpha * colour[c]!);
  };
  const labelled = (labels: ArrayLike<number>) => {
    const out = Uint8Array.from(base);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const l = labels[plane.index(x, y)]!;
        if (l > 0) blend(out, y * w + x, CLASS_COLOURS[(l - 1) % CLASS_COLOURS.length]!, 0.55);
      }
    return out;
  };
  const overlay = Uint8Array.from(base);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = plane.index(x, y);
      const t = input.truth[v]!,
        p = input.prediction[v]!;
      if (p > 0 && p === t) blend(overlay, y * w + x, OVERLAY_COLOURS.truePositive, 0.7);
      else if (p > 0) blend(overlay, y * w + x, OVERLAY_COLOURS.falsePositive, 0.85);
      else if (t > 0) blend(overlay, y * w + x, OVERLAY_COLOURS.falseNegative, 0.85);
    }
  return [base, labelled(input.truth), labelled(input.prediction), overlay].map((rgb) => ({ rgb, w, h }));
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function textSvg(width: number, height: number, text: string, size: number, weight = 'normal'): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="4" y="${Math.round(height * 0.72)}" font-family="DejaVu Sans, sans-serif" font-size="${size}" font-weight="${weight}" fill="#111">${escapeXml(text)}</text></svg>`,
  );
}

export interface OverlayOptions {
  /** Height in pixels of each panel row (default: the plane's height, clamped to 160…320). */
  panelHeight?: number;
}

/** The overlay figure as PNG bytes. */
export async function overlayPng(input: OverlayInput, options: OverlayOptions = {}): Promise<Buffer> {
  const n = input.shape[0] * input.shape[1] * input.shape[2];
  if (input.truth.length !== n || input.prediction.length !== n || input.channels.some((c) => c.length !== n))
    throw new ShapeError(`overlay: image, truth and prediction must share the grid [${input.shape.join(', ')}]`);
  const planes = overlayPlanes(input.truth, input.prediction, input.shape, input.spacing);
  const gap = 6,
    captionH = 30,
    labelH = 20,
    legendH = 18;
  const titles = ['image', 'ground truth', 'prediction', 'overlay'];
  const rows: Array<{ images: Buffer[]; w: number; h: number; name: string }> = [];
  for (const plane of planes) {
    const height = options.panelHeight ?? Math.max(160, Math.min(320, plane.h));
    const width = Math.max(1, Math.round(height * plane.aspect));
    const upscale = height >= plane.h;
    const images = await Promise.all(
      panels(input, plane).map((p) =>
        sharp(Buffer.from(p.rgb), { raw: { width: p.w, height: p.h, channels: 3 } })
          .resize(width, height, { fit: 'fill', kernel: upscale ? 'nearest' : 'lanczos3' })
          .png()
          .toBuffer(),
      ),
    );
    rows.push({ images, w: width, h: height, name: plane.name });
  }
  const panelW = Math.max(...rows.map((r) => r.w));
  const totalW = 4 * panelW + 5 * gap;
  const totalH = captionH + legendH + labelH + rows.reduce((a, r) => a + r.h + gap + (r.name ? labelH : 0), 0) + gap;
  const composites: SharpOverlay[] = [
    { input: textSvg(totalW, captionH, input.caption, 16, 'bold'), left: 0, top: 0 },
    {
      input: textSvg(totalW, legendH, 'overlay: true positive green, false positive red, false negative blue', 12),
      left: 0,
      top: captionH,
    },
  ];
  titles.forEach((t, c) =>
    composites.push({ input: textSvg(panelW, labelH, t, 12), left: gap + c * (panelW + gap), top: captionH + legendH }),
  );
  let top = captionH + legendH + labelH;
  for (const r of rows) {
    if (r.name) {
      composites.push({ input: textSvg(totalW, labelH, r.name, 12), left: gap, top });
      top += labelH;
    }
    r.images.forEach((img, c) => composites.push({ input: img, left: gap + c * (panelW + gap), top }));
    top += r.h + gap;
  }
  return sharp({ create: { width: totalW, height: totalH, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(composites)
    .png()
    .toBuffer();
}

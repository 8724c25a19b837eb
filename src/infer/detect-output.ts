/**
 * What detection writes per case: `<case>.json` and `<case>.csv` with every box in voxel coordinates of
 * the input image (corners layout, voxel edges; see detection/boxes.ts) and in patient coordinates
 * (LPS, mm, through the image geometry), its class and score — and, for 2D images, `<case>.png`, the
 * image with its boxes drawn (one colour per class, score beside each). All written atomically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BoxDims, BoxSet } from '../detection/boxes.js';
import { boxesToWorld, type Geometry } from '../detection/box-geometry.js';
import type { Image } from '../io/image.js';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError } from '../util/errors.js';

export interface DetectionRecord {
  class: string;
  score: number;
  /** Voxel corners [x1, y1, (z1,) x2, y2, (z2)]. */
  voxel: number[];
  /** Patient box [x1, y1, z1, x2, y2, z2], mm (LPS). */
  patient: number[];
}

export interface CaseDetections {
  case: string;
  image: string;
  dims: BoxDims;
  classes: string[];
  shape: number[];
  detections: DetectionRecord[];
}

export function caseDetections(
  id: string,
  image: string,
  set: BoxSet,
  classes: string[],
  geometry: Geometry & { shape: number[] },
): CaseDetections {
  const w = 2 * set.dims;
  const world = boxesToWorld(set.boxes, set.dims, geometry);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    case: id,
    image,
    dims: set.dims,
    classes,
    shape: geometry.shape,
    detections: Array.from(set.labels, (l, b) => ({
      class: classes[l]!,
      score: Math.round(set.scores![b]! * 1e6) / 1e6,
      voxel: Array.from(set.boxes.subarray(b * w, b * w + w), round),
      patient: Array.from(world.subarray(b * 6, b * 6 + 6), round),
    })),
  };
}

const COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c'];

export async function writeCaseDetections(dir: string, c: CaseDetections, image?: Image): Promise<string[]> {
  const json = join(dir, `${c.case}.json`),
    csv = join(dir, `${c.case}.csv`);
  writeFileAtomic(json, `${JSON.stringify(c, null, 1)}\n`);
  const axes = c.dims === 2 ? ['x', 'y'] : ['x', 'y', 'z'];
  const header = [
    'case',
    'class',
    'score',
    ...axes.map((a) => `${a}1`),
    ...axes.map((a) => `${a}2`),
    'L1',
    'P1',
    'S1',
    'L2',
    'P2',
    'S2',
  ];
  const lines = c.detections.map((d) => [c.case, d.class, d.score, ...d.voxel, ...d.patient].join(','));
  writeFileAtomic(csv, `${[header.join(','), ...lines].join('\n')}\n`);
  const written = [json, csv];
  if (image && c.dims === 2) {
    const png = join(dir, `${c.case}.png`);
    writeFileAtomic(png, await overlayPng(image, c));
    written.push(png);
  }
  return written;
}

/** The 2D image (grey or RGB, any range) as 8-bit PNG with the boxes drawn over it. */
export async function overlayPng(image: Image, c: CaseDetections, minScore = 0.3): Promise<Buffer> {
  const [w, h] = image.shape as [number, number];
  const channels = image.shape.slice(3).reduce((a, b) => a * b, 1);
  const per = w * h;
  let lo = Infinity,
    hi = -Infinity;
  for (const v of image.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const scale = hi > lo ? 255 / (hi - lo) : 1;
  const rgb = Buffer.alloc(per * 3);
  for (let p = 0; p < per; p++)
    for (let k = 0; k < 3; k++)
      rgb[p * 3 + k] = Math.round((image.data[Math.min(k, channels - 1) * per + p]! - lo) * scale);
  const rects = c.detections
    .filter((d) => d.score >= minScore)
    .map((d) => {
      const colour = COLOURS[c.classes.indexOf(d.class) % COLOURS.length];
      const [x1, y1, x2, y2] = d.voxel as [number, number, number, number];
      return `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${colour}" stroke-width="2"/><text x="${x1 + 2}" y="${Math.max(10, y1 - 2)}" font-size="11" font-family="sans-serif" fill="${colour}">${d.class} ${d.score.toFixed(2)}</text>`;
    })
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${rects}</svg>`);
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** Reads a `<case>.json` written by writeCaseDetections as a scored box set over `classes`. */
export function readCaseDetections(path: string, classes: readonly string[]): { id: string; set: BoxSet } {
  let c: CaseDetections;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as CaseDetections;
  } catch (err) {
    throw new FileFormatError(path, `not a detection JSON file (${(err as Error).message})`);
  }
  if (!Array.isArray(c?.detections) || (c.dims !== 2 && c.dims !== 3))
    throw new FileFormatError(path, 'not a detection file written by predict (no dims / detections)');
  const w = 2 * c.dims;
  const boxes = new Float64Array(c.detections.length * w);
  const labels = new Int32Array(c.detections.length);
  const scores = new Float32Array(c.detections.length);
  c.detections.forEach((d, i) => {
    const k = classes.indexOf(d.class);
    if (k < 0) throw new FileFormatError(path, `class '${d.class}' is not one of ${classes.join(', ')}`);
    if (!Array.isArray(d.voxel) || d.voxel.length !== w)
      throw new FileFormatError(path, `detection ${i} needs ${w} voxel coordinates`);
    boxes.set(d.voxel, i * w);
    labels[i] = k;
    scores[i] = d.score;
  });
  return { id: c.case, set: { dims: c.dims, boxes, labels, scores } };
}

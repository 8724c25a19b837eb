/**
 * Reads a DICOM SEG (BINARY, FRACTIONAL or LABELMAP) back into a label image with its geometry. The
 * frames are placed by their own Plane Position (Patient) along the normal of their orientation, with
 * the reader's functional-group code (frame-geometry.ts); the grid spans the frames present (SEG
 * writers leave out empty slices), or is a given reference grid. A voxel in several overlapping
 * segments takes the highest segment number in the label map; `masks` keeps one mask per segment.
 */
import { FileFormatError } from '../../../util/errors.js';
import { createImage, type Image, type Mat3, type Vec3 } from '../../image.js';
import { type Grid, resampleOnto } from '../../resample.js';
import { item, number, text, uint } from '../attributes.js';
import { decodeFrameSync, FrameDecodeError, loadCodecs } from '../codecs.js';
import { cross, dot, frameAttributes } from '../frame-geometry.js';
import { encapsulatedFrames, nativeFrame } from '../frames.js';
import { parseDicomBytes, type DataSet, type ParsedDicom } from '../parse.js';
import { frameCount, readFrameInfo } from '../pixel-module.js';
import { readBytes } from '../scan.js';
import { transferSyntax } from '../transfer-syntax.js';
import type { Code } from './codes.js';
import type { SegmentSpec } from './segments.js';
import { LABEL_MAP_SEGMENTATION_STORAGE, SEGMENTATION_STORAGE } from './write.js';

export interface DicomSegmentation {
  /** Label map: segment number per voxel (0 = none). */
  image: Image;
  /** [i, j, k, S] uint8 masks in the order of `segments` (when asked for). */
  masks?: Image;
  segments: SegmentSpec[];
  type: string;
  overlapping: boolean;
  /** SeriesInstanceUID the SEG references, when it says. */
  referencedSeriesUid?: string;
}

const SAME_POSITION_MM = 0.01;

function code(ds: DataSet | undefined, tag: string): Code | undefined {
  const c = item(ds, tag);
  const value = text(c, 'x00080100') || text(c, 'x00080119') || text(c, 'x00080120');
  if (!c || !value) return undefined;
  return { value, scheme: text(c, 'x00080102') ?? '', meaning: text(c, 'x00080104') ?? '' };
}

function readSegments(ds: DataSet): SegmentSpec[] {
  const items = ds.elements.x00620002?.items ?? [];
  return items.map((it) => {
    const s = it.dataSet!;
    const spec: SegmentSpec = { number: uint(s, 'x00620004') ?? 0, label: text(s, 'x00620005') ?? '' };
    const category = code(s, 'x00620003');
    const type = code(s, 'x0062000f');
    const modifier = code(item(s, 'x0062000f'), 'x00620011');
    const description = text(s, 'x00620006');
    if (category) spec.category = category;
    if (type) spec.type = type;
    if (modifier) spec.typeModifier = modifier;
    if (description) spec.description = description;
    return spec;
  });
}

/** ReferencedSegmentNumber of frame f (per-frame item, else the shared one for a single segment). */
function segmentOfFrame(ds: DataSet, f: number): number | undefined {
  const perFrame = item(ds, 'x52009230', f);
  const shared = item(ds, 'x52009229');
  return uint(item(perFrame, 'x0062000a') ?? item(shared, 'x0062000a'), 'x0062000b');
}

interface Placement {
  origin: Vec3;
  direction: Mat3;
  spacing: Vec3;
  shape: [number, number, number];
  sliceOf: number[];
}

/** Lays frames on a grid: orientation shared, positions along its normal at a regular step. */
function place(path: string, ds: DataSet, frames: number, columns: number, rows: number): Placement {
  const attributes = frameAttributes(ds, frames);
  const a0 = attributes[0]!;
  if (!a0.rowCosine || !a0.columnCosine || attributes.some((a) => !a.position))
    throw new FileFormatError(
      path,
      'SEG frames have no Plane Position/Orientation (Patient): cannot place them in patient space',
    );
  const row = a0.rowCosine;
  const column = a0.columnCosine;
  for (const a of attributes) {
    const same = [...a.rowCosine!, ...a.columnCosine!].every((v, i) => Math.abs(v - [...row, ...column][i]!) < 1e-3);
    if (!same) throw new FileFormatError(path, 'SEG frames have different orientations: not one volume');
  }
  const normal = cross(row, column);
  const along = attributes.map((a) => dot(a.position!, normal));
  const distinct = [...along]
    .sort((x, y) => x - y)
    .filter((d, i, all) => i === 0 || d - all[i - 1]! > SAME_POSITION_MM);
  const steps = distinct.slice(1).map((d, i) => d - distinct[i]!);
  const declared = a0.spacingBetweenSlices;
  const step = declared && declared > 0 ? declared : steps.length ? Math.min(...steps) : (a0.sliceThickness ?? 1);
  const firstIndex = along.indexOf(distinct[0]!);
  const origin = attributes[firstIndex]!.position!;
  const sliceOf = along.map((d, f) => {
    const k = (d - distinct[0]!) / step;
    if (Math.abs(k - Math.round(k)) > 0.1)
      throw new FileFormatError(
        path,
        `frame ${f + 1} lies ${(k * step).toFixed(3)} mm along the normal, off the ${step} mm slice grid`,
      );
    const p = attributes[f]!.position!;
    const offset = [0, 1, 2].map((x) => p[x]! - origin[x]! - (d - distinct[0]!) * normal[x]!);
    if (Math.hypot(...offset) > 0.05 * Math.min(...(a0.pixelSpacing ?? [1, 1])))
      throw new FileFormatError(path, `frame ${f + 1} is shifted in-plane from the others: not one volume`);
    return Math.round(k);
  });
  const [rowSpacing, columnSpacing] = a0.pixelSpacing ?? [1, 1];
  return {
    origin,
    direction: [row[0], column[0], normal[0], row[1], column[1], normal[1], row[2], column[2], normal[2]],
    spacing: [columnSpacing, rowSpacing, step],
    shape: [columns, rows, Math.max(...sliceOf) + 1],
    sliceOf,
  };
}

/** Decoded stored values of every frame (palette indices stay indices: they are segment numbers). */
function decodeAll(parsed: ParsedDicom, frames: number): ArrayLike<number>[] {
  const info = readFrameInfo(parsed.path, parsed.dataSet);
  const ts = transferSyntax(parsed.transferSyntaxUid);
  if (!ts) throw new FileFormatError(parsed.path, `unsupported transfer syntax ${parsed.transferSyntaxUid}`);
  if (!parsed.dataSet.elements.x7fe00010) throw new FileFormatError(parsed.path, 'SEG has no Pixel Data');
  const streams = ts.codec ? encapsulatedFrames(parsed, frames, ts.codec) : undefined;
  return Array.from({ length: frames }, (_, f) => {
    const stored = streams ? { bytes: streams[f]!, bitOffset: 0 } : nativeFrame(parsed, info, frames, f);
    try {
      return decodeFrameSync(parsed.transferSyntaxUid, stored.bytes, info, { bitOffset: stored.bitOffset });
    } catch (e) {
      if (e instanceof FrameDecodeError) throw new FileFormatError(parsed.path, `frame ${f + 1}: ${e.message}`);
      throw e;
    }
  });
}

/** Is this parsed file a segmentation (SEG or label-map SEG)? */
export function isSegmentation(parsed: ParsedDicom): boolean {
  const sop = text(parsed.dataSet, 'x00080016') ?? text(parsed.dataSet, 'x00020002');
  return sop === SEGMENTATION_STORAGE || sop === LABEL_MAP_SEGMENTATION_STORAGE;
}

/** Reads a parsed SEG. See readDicomSeg. */
export async function readSegmentation(
  parsed: ParsedDicom,
  options: { reference?: Grid; masks?: boolean } = {},
): Promise<DicomSegmentation> {
  const { path, dataSet: ds } = parsed;
  if (!isSegmentation(parsed))
    throw new FileFormatError(path, 'not a DICOM Segmentation (SOP class 1.2.840.10008.5.1.4.1.1.66.4 / .66.7)');
  const type = (text(ds, 'x00620001') ?? 'BINARY').toUpperCase();
  const segments = readSegments(ds);
  const frames = frameCount(ds);
  const info = readFrameInfo(path, ds);
  if (transferSyntax(parsed.transferSyntaxUid)?.codec) await loadCodecs();
  const values = decodeAll(parsed, frames);
  const grid = place(path, ds, frames, info.columns, info.rows);
  const [ni, nj, nk] = grid.shape;
  const slice = ni * nj;
  const maxNumber = Math.max(0, ...segments.map((s) => s.number));
  const labels = maxNumber > 255 ? new Uint16Array(slice * nk) : new Uint8Array(slice * nk);
  const order = new Map(segments.map((s, i) => [s.number, i]));
  const masks = options.masks && type !== 'LABELMAP' ? new Uint8Array(slice * nk * segments.length) : undefined;
  const maxFraction = number(ds, 'x00620014') ?? 255;
  let overlapping = false;
  for (let f = 0; f < frames; f++) {
    const v = values[f]!;
    const base = grid.sliceOf[f]! * slice;
    if (type === 'LABELMAP') {
      for (let p = 0; p < slice; p++) if (v[p]) labels[base + p] = v[p]!;
      continue;
    }
    const segment = segmentOfFrame(ds, f);
    if (segment === undefined || !order.has(segment))
      throw new FileFormatError(path, `frame ${f + 1} names no described segment (Referenced Segment Number)`);
    const threshold = type === 'FRACTIONAL' ? maxFraction / 2 : 0;
    const plane = order.get(segment)! * slice * nk;
    for (let p = 0; p < slice; p++) {
      if (!(v[p]! > threshold)) continue;
      const at = base + p;
      if (masks) masks[plane + at] = 1;
      const old = labels[at]!;
      if (old && old !== segment) overlapping = true;
      if (segment > old) labels[at] = segment;
    }
  }
  const referencedSeriesUid = text(item(ds, 'x00081115'), 'x0020000e');
  const meta: Image['meta'] = {
    format: 'dicom-seg',
    segmentationType: type,
    segments: segments.map((s) => `${s.number}=${s.label}`).join('; '),
  };
  if (referencedSeriesUid) meta.referencedSeriesInstanceUid = referencedSeriesUid;
  if (overlapping) meta.warnings = 'segments overlap: a voxel in several segments holds the highest segment number';
  const geometry = { spacing: grid.spacing, origin: grid.origin, direction: grid.direction, meta };
  let image = createImage(labels, grid.shape, geometry);
  let maskImage = masks ? createImage(masks, [...grid.shape, segments.length], geometry) : undefined;
  if (options.reference) {
    image = resampleOnto(image, options.reference, { interpolation: 'nearest' });
    if (maskImage) maskImage = resampleOnto(maskImage, options.reference, { interpolation: 'nearest' });
  }
  return {
    image,
    ...(maskImage ? { masks: maskImage } : {}),
    segments,
    type,
    overlapping,
    ...(referencedSeriesUid ? { referencedSeriesUid } : {}),
  };
}

/**
 * Reads a SEG file as a label map in LPS (segment number per voxel), on the grid its frames span or
 * on `reference` (e.g. the source series' grid, so that it overlays voxel for voxel).
 *
 * @example
 * const { image, segments } = await readDicomSeg('liver.seg.dcm');
 */
export async function readDicomSeg(
  path: string,
  options: { reference?: Grid; masks?: boolean } = {},
): Promise<DicomSegmentation> {
  return readSegmentation(parseDicomBytes(path, await readBytes(path)), options);
}

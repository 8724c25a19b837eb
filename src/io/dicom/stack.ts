import type { Mat3, Vec3 } from '../image.js';
import { median } from '../../util/percentile.js';
import { cross, dot, type FrameAttributes } from './frame-geometry.js';

/** A frame as the series assembler sees it: its attributes plus where it came from. */
export interface StackFrame {
  attributes: FrameAttributes;
  /** Order of discovery (file order, then frame number): the last tie-breaker. */
  order: number;
}

export interface StackLayout<F extends StackFrame> {
  /** frames[t][k]: volume t (time point / repetition), slice k. */
  volumes: F[][];
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
  oblique: boolean;
  /** Largest distance (mm, along the normal) of a slice from its place on the assembled grid. */
  maxSliceDeviation: number;
  warnings: string[];
}

/** Positions closer than this along the normal (mm) are the same slice location. */
const SAME_POSITION_MM = 0.01;

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function norm(a: Vec3): number {
  return Math.hypot(a[0], a[1], a[2]);
}
function scale(a: Vec3, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}
const fmt = (v: number) => String(Math.round(v * 1000) / 1000);

/** Orders frames at one position: time index, then acquisition, then instance, then discovery. */
function byTime(a: StackFrame, b: StackFrame): number {
  const x = a.attributes,
    y = b.attributes;
  for (const key of ['temporalIndex', 'acquisition', 'instance'] as const) {
    const u = x[key],
      v = y[key];
    if (u !== undefined && v !== undefined && u !== v) return u - v;
  }
  return a.order - b.order;
}

/** Is an axis (unit vector) off every world axis by more than ~0.5 degree? */
function isOblique(axis: Vec3): boolean {
  return Math.max(Math.abs(axis[0]), Math.abs(axis[1]), Math.abs(axis[2])) < 0.99996;
}

function columns(i: Vec3, j: Vec3, k: Vec3): Mat3 {
  return [i[0], j[0], k[0], i[1], j[1], k[1], i[2], j[2], k[2]];
}

/**
 * Lays frames of one series (same orientation and size) out as a volume, the way ITK/GDCM and
 * dcm2niix do: slices sorted by their position projected on the slice normal (row × column cosine),
 * never by instance number or file name; k runs along increasing projection. The slice spacing comes
 * from the positions, never SliceThickness: (last − first)/(n − 1) when there is no gap (exact at both
 * ends and robust to positions rounded in the header), the median step when there are gaps (a step
 * over 1.5 × the median). Gaps, duplicates, non-uniform steps (a slice over max(0.1 mm, 1 %) off the
 * grid) and sheared stacks (gantry tilt) are reported in `warnings`. When every position holds the same
 * number m > 1 of frames they are m volumes (time points), ordered by temporal index, acquisition,
 * instance number. Uneven counts are duplicates: the first frame per position (in that order) is kept.
 */
export function layoutStack<F extends StackFrame>(frames: F[]): StackLayout<F> {
  const warnings: string[] = [];
  const first = frames[0]!.attributes;
  const [rowSpacing, columnSpacing] = first.pixelSpacing ?? [1, 1];
  if (!first.pixelSpacing) warnings.push('no Pixel Spacing: assumed 1 mm');
  const differs = frames.find((f) => {
    const p = f.attributes.pixelSpacing;
    return (
      p && (Math.abs(p[0] - rowSpacing) > 1e-4 * rowSpacing || Math.abs(p[1] - columnSpacing) > 1e-4 * columnSpacing)
    );
  });
  if (differs)
    warnings.push(
      `Pixel Spacing differs between slices (${rowSpacing}\\${columnSpacing} and ${differs.attributes.pixelSpacing!.join('\\')}): the first slice's is used`,
    );
  if (first.pixelSpacingSource) warnings.push(`no Pixel Spacing: used ${first.pixelSpacingSource}`);
  const row = first.rowCosine ?? [1, 0, 0];
  const column = first.columnCosine ?? [0, 1, 0];
  if (!first.rowCosine) warnings.push('no Image Orientation (Patient): assumed axial identity orientation');
  const normal = cross(row, column);
  const placed = frames.every((f) => f.attributes.position);
  const fallbackStep = first.spacingBetweenSlices ?? first.sliceThickness ?? 1;

  if (!placed) {
    // No positions: stack in file order (secondary capture, cine, classic multi-frame without offsets).
    const sorted = [...frames].sort(byTime);
    if (sorted.length > 1)
      warnings.push(`frames have no Image Position (Patient): stacked in file order ${fmt(fallbackStep)} mm apart`);
    return {
      volumes: [sorted],
      spacing: [columnSpacing, rowSpacing, fallbackStep],
      origin: first.position ?? [0, 0, 0],
      direction: columns(row, column, normal),
      oblique: isOblique(row) || isOblique(column),
      maxSliceDeviation: 0,
      warnings,
    };
  }

  const keyed = frames.map((f) => ({ f, d: dot(f.attributes.position!, normal) }));
  keyed.sort((a, b) => a.d - b.d || byTime(a.f, b.f));
  const groups: { d: number; frames: F[] }[] = [];
  for (const { f, d } of keyed) {
    const last = groups[groups.length - 1];
    if (last && d - last.d < SAME_POSITION_MM) last.frames.push(f);
    else groups.push({ d, frames: [f] });
  }
  for (const g of groups) g.frames.sort(byTime);

  const counts = groups.map((g) => g.frames.length);
  const m = counts[0]!;
  let volumes: F[][];
  if (counts.every((c) => c === m)) {
    volumes = Array.from({ length: m }, (_, t) => groups.map((g) => g.frames[t]!));
  } else {
    const extra = counts.reduce((s, c) => s + c - 1, 0);
    warnings.push(
      `${extra} frame(s) at duplicate slice positions (${groups.filter((g) => g.frames.length > 1).length} positions): kept the first of each`,
    );
    volumes = [groups.map((g) => g.frames[0]!)];
  }

  const origin = groups[0]!.frames[0]!.attributes.position!;
  let kAxis = normal;
  let kSpacing = fallbackStep;
  let deviation = 0;
  if (groups.length > 1) {
    const steps = groups.slice(1).map((g, i) => g.d - groups[i]!.d);
    const typical = median(steps);
    const lo = Math.min(...steps),
      hi = Math.max(...steps);
    const gapSteps = steps.filter((s) => s > 1.5 * typical);
    if (gapSteps.length) {
      kSpacing = typical;
      const missing = gapSteps.reduce((n, s) => n + Math.round(s / typical) - 1, 0);
      warnings.push(
        `${gapSteps.length} gap(s) in slice positions, about ${missing} slice(s) missing (steps up to ${fmt(hi)} mm against a median of ${fmt(typical)} mm): assembled at the median spacing, so slices past a gap are misplaced`,
      );
    } else {
      // First to last over n-1 steps: exact at both ends, and immune to positions rounded in the header
      kSpacing = (groups[groups.length - 1]!.d - groups[0]!.d) / (groups.length - 1);
    }
    groups.forEach((g, k) => (deviation = Math.max(deviation, Math.abs(g.d - groups[0]!.d - k * kSpacing))));
    if (!gapSteps.length && deviation > Math.max(0.1, 0.01 * kSpacing)) {
      warnings.push(
        `non-uniform slice spacing (steps ${fmt(lo)} to ${fmt(hi)} mm): slices lie up to ${fmt(deviation)} mm from the uniform ${fmt(kSpacing)} mm grid`,
      );
    }
    // Stack direction: from the first to the last slice. Off the normal means a sheared stack.
    const last = groups[groups.length - 1]!.frames[0]!.attributes.position!;
    const along = sub(last, origin);
    const unit = scale(along, 1 / norm(along));
    const cosine = dot(unit, normal);
    const inPlane = norm(sub(along, scale(normal, dot(along, normal))));
    // over 0.1 mm and 0.2 degree: positions rounded in the header (to 0.1 mm, say) are not a tilt
    if (inPlane > 0.1 && Math.acos(Math.min(1, cosine)) > (0.2 * Math.PI) / 180 && cosine > 0) {
      warnings.push(
        `slices are sheared (stacked ${fmt((Math.acos(Math.min(1, cosine)) * 180) / Math.PI)} degrees off the slice normal, gantry tilt?): k follows the slice positions`,
      );
      kAxis = unit;
      kSpacing = kSpacing / cosine;
    }
  }
  return {
    volumes,
    spacing: [columnSpacing, rowSpacing, kSpacing],
    origin,
    direction: columns(row, column, kAxis),
    oblique: isOblique(row) || isOblique(column),
    maxSliceDeviation: deviation,
    warnings,
  };
}

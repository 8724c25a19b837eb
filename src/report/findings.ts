/**
 * Findings from a predicted label map: each connected component of each class (full connectivity:
 * 26 in 3D, 8 in 2D, as nnU-Net's post-processing) with its volume, diameters, centroid in patient
 * coordinates (LPS), side of the body, slice range, mean intensity, mean model probability and,
 * given an atlas or organ segmentation, the structure it lies in.
 */
import { connectedComponents, type Connectivity } from '../infer/postprocess.js';
import { indexToWorld, type Image, type Vec3 } from '../io/image.js';
import { fitToGrid } from '../io/dicom/seg/grid-match.js';
import { ShapeError } from '../util/errors.js';
import { diameters } from './findings-geometry.js';

export type Side = 'left' | 'right' | 'midline' | 'unknown';
export type FindingPlane = 'axial' | 'coronal' | 'sagittal' | 'oblique' | 'image';

export interface Finding {
  /** 1-based, in order of class then size (largest first). */
  id: number;
  classValue: number;
  className: string;
  voxels: number;
  /** mm³ for volumes; for a 2D image the area in mm² (`is2D`). */
  volume: number;
  is2D: boolean;
  /** Longest chord in one slice (mm), the perpendicular extent in that slice, the longest in 3D. */
  longAxis: number;
  shortAxis: number;
  maxDiameter: number;
  /** The slice plane the axes are measured in. */
  plane: FindingPlane;
  /** Slice (0-based k) of the long axis, first and last slice (0-based k) of the finding. */
  longAxisSlice: number;
  slices: [number, number];
  /** Centre of mass in patient coordinates (LPS, mm) and in voxel indices. */
  centroid: Vec3;
  centroidVoxel: Vec3;
  side: Side;
  meanIntensity?: number;
  meanProbability?: number;
  maxProbability?: number;
  /** The atlas structure holding most of the finding. */
  location?: { value: number; name: string; fraction: number };
}

export interface FindingsOptions {
  /** The image the prediction was made on (same grid): mean intensity per finding. */
  image?: Image;
  /** Probabilities: [i, j, k, classes] softmax, or [i, j, k] foreground probability. */
  probabilities?: Image;
  /** A label atlas or organ segmentation (resampled onto the prediction's grid by nearest neighbour). */
  atlas?: Image;
  atlasNames?: ReadonlyMap<number, string>;
  /** Names of the predicted classes (label value → name). */
  classNames?: ReadonlyMap<number, string>;
  /** Classes to report (default every non-zero value present). */
  classes?: number[];
  connectivity?: Connectivity;
  /** Leave out findings smaller than this (mm³, or mm² in 2D). */
  minVolume?: number;
  /** x (LPS, mm) of the body's midline (default 0: the scanner isocentre, where patients are centred). */
  midlineX?: number;
}

/** Does the image carry patient coordinates (not a photograph or screenshot)? */
export function hasPatientGeometry(image: Image): boolean {
  return !('raster.channels' in image.meta);
}

function planeOf(image: Image): FindingPlane {
  if (!hasPatientGeometry(image)) return 'image';
  const d = image.direction;
  // slice normal = row × column direction; its main axis names the plane
  const n = [d[3] * d[7] - d[6] * d[4], d[6] * d[1] - d[0] * d[7], d[0] * d[4] - d[3] * d[1]].map(Math.abs);
  const largest = Math.max(...n);
  if (largest < 0.9) return 'oblique';
  return (['sagittal', 'coronal', 'axial'] as const)[n.indexOf(largest)]!;
}

function checkGrid(labels: Image, other: Image, what: string): void {
  if ([0, 1, 2].some((d) => (other.shape[d] ?? 1) !== (labels.shape[d] ?? 1)))
    throw new ShapeError(
      `the ${what} (${other.shape.join('x')}) is not on the prediction's grid (${labels.shape.join('x')})`,
    );
}

/** Findings of a label map: see the module comment. */
export function findFindings(labels: Image, options: FindingsOptions = {}): Finding[] {
  if (labels.shape.slice(3).some((n) => n !== 1))
    throw new ShapeError(`a prediction must be one label per voxel, got shape [${labels.shape.join(', ')}]`);
  const [ni, nj, nk] = [labels.shape[0]!, labels.shape[1]!, labels.shape[2]!];
  const n = ni * nj * nk;
  const is2D = nk === 1;
  const unit = is2D ? labels.spacing[0] * labels.spacing[1] : labels.spacing[0] * labels.spacing[1] * labels.spacing[2];
  if (options.image) checkGrid(labels, options.image, 'image');
  if (options.probabilities) checkGrid(labels, options.probabilities, 'probability map');
  const atlas = options.atlas ? fitToGrid(options.atlas, labels, { resample: true, what: 'atlas' }) : undefined;
  const probabilityChannels = options.probabilities ? options.probabilities.data.length / n : 0;
  const patient = hasPatientGeometry(labels);
  const plane = planeOf(labels);
  const midline = options.midlineX ?? 0;

  const present = new Set<number>();
  for (let v = 0; v < n; v++) if (labels.data[v]) present.add(labels.data[v]!);
  const classes = (options.classes ?? [...present]).filter((c) => c !== 0).sort((a, b) => a - b);
  const findings: Omit<Finding, 'id'>[] = [];
  for (const c of classes) {
    const mask = new Uint8Array(n);
    for (let v = 0; v < n; v++) if (labels.data[v] === c) mask[v] = 1;
    const comp = connectedComponents(mask, [ni, nj, nk], options.connectivity ?? (is2D ? 8 : 26));
    const members: number[][] = Array.from({ length: comp.count + 1 }, () => []);
    for (let v = 0; v < n; v++) if (comp.labels[v]) members[comp.labels[v]!]!.push(v);
    for (let id = 1; id <= comp.count; id++) {
      const voxels = members[id]!;
      const volume = voxels.length * unit;
      if (options.minVolume !== undefined && volume < options.minVolume) continue;
      let si = 0;
      let sj = 0;
      let sk = 0;
      let k0 = Infinity;
      let k1 = -Infinity;
      let leftVoxels = 0;
      let rightVoxels = 0;
      for (const v of voxels) {
        const i = v % ni;
        const j = Math.floor(v / ni) % nj;
        const k = Math.floor(v / (ni * nj));
        si += i;
        sj += j;
        sk += k;
        k0 = Math.min(k0, k);
        k1 = Math.max(k1, k);
        if (patient) {
          const x = indexToWorld(labels, [i, j, k])[0];
          if (x > midline) leftVoxels++;
          else if (x < midline) rightVoxels++;
        }
      }
      const centroidVoxel: Vec3 = [si / voxels.length, sj / voxels.length, sk / voxels.length];
      // LPS: x grows towards the patient's left; most of the finding on one side names that side
      const side: Side = !patient
        ? 'unknown'
        : leftVoxels >= 0.8 * voxels.length
          ? 'left'
          : rightVoxels >= 0.8 * voxels.length
            ? 'right'
            : 'midline';
      const d = diameters(labels, voxels);
      const finding: Omit<Finding, 'id'> = {
        classValue: c,
        className: options.classNames?.get(c) ?? `class ${c}`,
        voxels: voxels.length,
        volume,
        is2D,
        longAxis: d.longAxis,
        shortAxis: d.shortAxis,
        maxDiameter: d.maxDiameter,
        plane,
        longAxisSlice: d.longAxisSlice,
        slices: [k0, k1],
        centroid: indexToWorld(labels, centroidVoxel),
        centroidVoxel,
        side,
      };
      if (options.image) {
        let sum = 0;
        for (const v of voxels) sum += options.image.data[v]!;
        finding.meanIntensity = sum / voxels.length;
      }
      if (options.probabilities) {
        const channel = probabilityChannels === 1 ? 0 : c;
        if (channel >= probabilityChannels)
          throw new ShapeError(
            `the probability map has ${probabilityChannels} channels, class ${c} needs channel ${c}`,
          );
        let sum = 0;
        let max = 0;
        for (const v of voxels) {
          const p = options.probabilities.data[channel * n + v]!;
          sum += p;
          max = Math.max(max, p);
        }
        finding.meanProbability = sum / voxels.length;
        finding.maxProbability = max;
      }
      if (atlas) {
        const counts = new Map<number, number>();
        for (const v of voxels) {
          const a = atlas.data[v]!;
          if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
        }
        const top = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
        if (top)
          finding.location = {
            value: top[0],
            name: options.atlasNames?.get(top[0]) ?? `label ${top[0]}`,
            fraction: top[1] / voxels.length,
          };
      }
      findings.push(finding);
    }
  }
  findings.sort((a, b) => a.classValue - b.classValue || b.voxels - a.voxels);
  return findings.map((f, i) => ({ id: i + 1, ...f }));
}

/**
 * The findings summary of a job: per class, its connected components (infer/postprocess.ts) with
 * volume, centroid (voxel and LPS millimetres, so the viewer can jump to it), bounding box and mean
 * probability, largest first. A structured report and DICOM SEG/SR outputs plug in through
 * `ResultExtension`s (extensions.ts) rather than here.
 */
import { connectedComponents, type Connectivity } from '../infer/postprocess.js';
import { voxelVolume } from '../infer/postprocess.js';
import { indexToWorld, type Image } from '../io/image.js';

export interface Finding {
  class: number;
  label: string;
  voxels: number;
  /** mm³ (mm² for a 2D image). */
  volume: number;
  centroidVoxel: [number, number, number];
  centroidMm: [number, number, number];
  /** [[i0, j0, k0], [i1, j1, k1]] inclusive. */
  box: [[number, number, number], [number, number, number]];
  meanProbability: number;
}

export interface ClassSummary {
  class: number;
  label: string;
  components: number;
  voxels: number;
  volume: number;
}

export interface FindingsSummary {
  /** 'mm3' for volumes, 'mm2' for 2D images. */
  unit: 'mm3' | 'mm2';
  classes: ClassSummary[];
  /** The largest components over all classes (at most `limit`). */
  findings: Finding[];
}

/**
 * Findings of a label map: connected components per class, largest first.
 *
 * @param labels - class per voxel on the input grid
 * @param probabilities - [i, j, k, K] probabilities (for each finding's mean probability)
 * @param names - class names by index (0 = background)
 */
export function summarizeFindings(
  labels: Image,
  probabilities: Image,
  names: readonly string[],
  /** The most findings listed. */
  limit = 50,
): FindingsSummary {
  const shape = labels.shape.slice(0, 3) as [number, number, number];
  const [ni, nj] = shape;
  const n = shape[0] * shape[1] * shape[2];
  const is3D = shape[2] > 1;
  const unitVolume = voxelVolume(shape, labels.spacing);
  const classes: ClassSummary[] = [];
  const findings: Finding[] = [];
  for (let c = 1; c < names.length; c++) {
    const mask = new Uint8Array(n);
    let voxels = 0;
    for (let v = 0; v < n; v++)
      if (labels.data[v] === c) {
        mask[v] = 1;
        voxels++;
      }
    const comp = connectedComponents(mask, shape, (is3D ? 26 : 8) as Connectivity);
    classes.push({ class: c, label: names[c]!, components: comp.count, voxels, volume: voxels * unitVolume });
    const sums = Array.from({ length: comp.count + 1 }, () => ({
      i: 0,
      j: 0,
      k: 0,
      p: 0,
      lo: [Infinity, Infinity, Infinity],
      hi: [-Infinity, -Infinity, -Infinity],
    }));
    for (let v = 0; v < n; v++) {
      const id = comp.labels[v]!;
      if (id === 0) continue;
      const i = v % ni;
      const j = Math.floor(v / ni) % nj;
      const k = Math.floor(v / (ni * nj));
      const s = sums[id]!;
      s.i += i;
      s.j += j;
      s.k += k;
      s.p += probabilities.data[c * n + v]!;
      [i, j, k].forEach((x, d) => {
        s.lo[d] = Math.min(s.lo[d]!, x);
        s.hi[d] = Math.max(s.hi[d]!, x);
      });
    }
    for (let id = 1; id <= comp.count; id++) {
      const size = comp.sizes[id]!;
      const s = sums[id]!;
      const centroid: [number, number, number] = [s.i / size, s.j / size, s.k / size];
      findings.push({
        class: c,
        label: names[c]!,
        voxels: size,
        volume: size * unitVolume,
        centroidVoxel: centroid.map((x) => Math.round(x * 100) / 100) as [number, number, number],
        centroidMm: indexToWorld(labels, centroid).map((x) => Math.round(x * 100) / 100) as [number, number, number],
        box: [s.lo as [number, number, number], s.hi as [number, number, number]],
        meanProbability: s.p / size,
      });
    }
  }
  findings.sort((a, b) => b.voxels - a.voxels);
  return { unit: is3D ? 'mm3' : 'mm2', classes, findings: findings.slice(0, limit) };
}

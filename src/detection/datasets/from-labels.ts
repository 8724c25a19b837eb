/**
 * Every segmentation dataset is a detection dataset: each connected component of each label value
 * (util/components.ts; full connectivity: 8 in 2D, 26 in 3D) becomes the tight voxel box around it,
 * of class value − 1 (value 1 → class 0). `minVoxels` drops specks (with a warning per label map).
 */
import type { Image } from '../../io/image.js';
import { componentsWhere, type Connectivity } from '../../util/components.js';
import type { BoxDims, BoxSet } from '../boxes.js';

/** One box per connected component of each label value of a label map. */
export function boxesFromLabels(
  label: Image,
  dims: BoxDims,
  options: { minVoxels?: number; connectivity?: Connectivity; numClasses?: number } = {},
): { boxes: BoxSet; dropped: number } {
  const shape = label.shape.slice(0, 3);
  const [ni, nj] = shape as [number, number, number];
  const data = label.data;
  const values = new Set<number>();
  for (let v = 0; v < data.length; v++) if (data[v] !== 0) values.add(data[v]!);
  const rows: number[] = [],
    labels: number[] = [];
  let dropped = 0;
  for (const value of [...values].sort((a, b) => a - b)) {
    const comp = componentsWhere(
      data.length,
      shape,
      options.connectivity ?? (dims === 3 ? 26 : 8),
      (v) => data[v] === value,
    );
    const lo = Array.from({ length: comp.count + 1 }, () => [Infinity, Infinity, Infinity]);
    const hi = Array.from({ length: comp.count + 1 }, () => [-Infinity, -Infinity, -Infinity]);
    for (let v = 0; v < data.length; v++) {
      const c = comp.labels[v]!;
      if (c === 0) continue;
      const idx = [v % ni, Math.floor(v / ni) % nj, Math.floor(v / (ni * nj))];
      for (let a = 0; a < 3; a++) {
        lo[c]![a] = Math.min(lo[c]![a]!, idx[a]!);
        hi[c]![a] = Math.max(hi[c]![a]!, idx[a]! + 1);
      }
    }
    for (let c = 1; c <= comp.count; c++) {
      if (comp.sizes[c]! < (options.minVoxels ?? 0)) {
        dropped++;
        continue;
      }
      rows.push(...lo[c]!.slice(0, dims), ...hi[c]!.slice(0, dims));
      labels.push(value - 1);
    }
  }
  return { boxes: { dims, boxes: Float64Array.from(rows), labels: Int32Array.from(labels) }, dropped };
}

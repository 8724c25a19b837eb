/**
 * Seeded, class-balanced sampling of training pixels: each class gets an equal share of `total`
 * (all of its pixels when it has fewer), spread over the cases in proportion to how many pixels of
 * that class each holds, drawn uniformly without replacement inside the case's ROI.
 */
import { Random } from '../util/random.js';

/** A case's labels (and ROI) as sampling reads them. */
export interface LabelledImage {
  label: Uint8Array;
  roi?: Uint8Array;
}

/**
 * Draws `total` training pixels, class-balanced, from the cases.
 *
 * @param cases labels (and ROI) of each case
 * @param numClasses classes 0..numClasses−1
 * @param total pixels wanted over all cases and classes
 * @param seed seed of the draw
 * @returns per case, the voxel indices drawn (sorted)
 */
export function balancedSample(
  cases: readonly LabelledImage[],
  numClasses: number,
  total: number,
  seed: number,
): Int32Array[] {
  const random = new Random(seed);
  // counts[case][class]
  const counts = cases.map((c) => {
    const k = new Float64Array(numClasses);
    for (let v = 0; v < c.label.length; v++) if (!c.roi || c.roi[v]) k[c.label[v]!]!++;
    return k;
  });
  const perClass = Math.floor(total / numClasses);
  const quota = cases.map(() => new Int32Array(numClasses));
  for (let k = 0; k < numClasses; k++) {
    const available = counts.reduce((a, c) => a + c[k]!, 0);
    const want = Math.min(perClass, available);
    if (want === 0) continue;
    // largest-remainder apportionment of `want` over the cases
    const exact = counts.map((c) => (want * c[k]!) / available);
    const floor = exact.map(Math.floor);
    let left = want - floor.reduce((a, b) => a + b, 0);
    const order = exact.map((x, i) => [x - floor[i]!, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, i] of order) {
      if (left <= 0) break;
      if (floor[i]! < counts[i]![k]!) {
        floor[i]!++;
        left--;
      }
    }
    floor.forEach((q, i) => (quota[i]![k] = q));
  }
  return cases.map((c, i) => {
    const picked: number[] = [];
    for (let k = 0; k < numClasses; k++) {
      const q = quota[i]![k]!;
      if (q === 0) continue;
      const pool: number[] = [];
      for (let v = 0; v < c.label.length; v++) if (c.label[v] === k && (!c.roi || c.roi[v])) pool.push(v);
      // partial Fisher–Yates: the first q of a seeded shuffle
      for (let t = 0; t < q; t++) {
        const j = t + random.int(pool.length - t);
        [pool[t], pool[j]] = [pool[j]!, pool[t]!];
        picked.push(pool[t]!);
      }
    }
    return Int32Array.from(picked).sort();
  });
}

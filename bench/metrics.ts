/**
 * Timing of the segmentation metrics: `node --import tsx bench/metrics.ts`.
 * Prints a table (milliseconds, median of a few runs) for a 256×256×128 volume and a DRIVE-size 2D image.
 */
import { createImage, type Vec3 } from '../src/io/image.js';
import { distanceTransform } from '../src/metrics/distance-transform.js';
import { evaluateCase } from '../src/metrics/evaluate.js';
import { surfaceDistances } from '../src/metrics/surface-distance.js';
import { Random } from '../src/util/random.js';

function ellipsoid(shape: Vec3, centre: Vec3, radii: Vec3): Uint8Array {
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0, v = 0; k < shape[2]; k++)
    for (let j = 0; j < shape[1]; j++)
      for (let i = 0; i < shape[0]; i++, v++) {
        const r =
          ((i - centre[0]) / radii[0]) ** 2 + ((j - centre[1]) / radii[1]) ** 2 + ((k - centre[2]) / radii[2]) ** 2;
        m[v] = r <= 1 ? 1 : 0;
      }
  return m;
}

function time(label: string, run: () => unknown, repeats = 3): void {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} ${times[Math.floor(repeats / 2)]!.toFixed(0).padStart(7)} ms`);
}

const shape: Vec3 = [256, 256, 128];
const spacing: Vec3 = [0.8, 0.8, 1.5];
// Two large ellipsoids spanning most of the volume: the cropped transform covers nearly all of it.
const gt = ellipsoid(shape, [128, 128, 64], [120, 110, 60]);
const pred = ellipsoid(shape, [124, 131, 62], [118, 114, 58]);
console.log(`volume ${shape.join('×')}, spacing ${spacing.join('×')} mm`);
time('exact EDT, whole volume (8.4 M voxels)', () => distanceTransform(gt, shape, spacing));
time('HD/HD95/ASSD/NSD (surfaces + 2 EDTs on the bounding box)', () =>
  surfaceDistances(pred, gt, { shape, spacing }, { tolerance: 1 }),
);
const gtImage = createImage(gt, shape, { spacing });
const predImage = createImage(pred, shape, { spacing });
time('evaluateCase, one class, all metrics', () => evaluateCase(predImage, gtImage, { labels: [1] }));

const drive: Vec3 = [565, 584, 1];
const random = new Random(1);
const truth = Uint8Array.from({ length: 565 * 584 }, () => (random.next() < 0.09 ? 255 : 0));
const prediction = Uint8Array.from(truth, (v) => (random.next() < 0.1 ? 255 - v : v));
const fov = ellipsoid(drive, [282, 292, 0], [270, 270, 1]);
const probability = Float32Array.from(truth, (v) => (v ? 0.3 : 0) + 0.7 * random.next());
const args = [createImage(prediction, drive), createImage(truth, drive)] as const;
console.log(`\nDRIVE-size image ${drive.slice(0, 2).join('×')} (random speckle: the worst case for surfaces)`);
time('evaluateCase binary + FOV, all metrics', () =>
  evaluateCase(...args, { binary: true, roi: createImage(fov, drive) }),
);
time('evaluateCase binary + FOV + probability (AUC, AP)', () =>
  evaluateCase(...args, { binary: true, roi: createImage(fov, drive), probability: createImage(probability, drive) }),
);

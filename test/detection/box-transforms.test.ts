// Boxes must move exactly as the image does: each check paints the box into a label map, moves the
// label map with the real transform from src/transforms, and compares the painted region's bounding
// box with the box moved by src/detection/box-transforms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  boxesThroughCompose,
  flipBoxes,
  keepInside,
  resampleBoxes,
  rot90Boxes,
  spatialBoxes,
} from '../../src/detection/box-transforms.js';
import { type BoxDims, clipBoxes } from '../../src/detection/boxes.js';
import type { Mat3 } from '../../src/io/image.js';
import { defaultAugmentation } from '../../src/transforms/defaults.js';
import { Flip } from '../../src/transforms/flip.js';
import { Rot90 } from '../../src/transforms/rot90.js';
import { SpatialTransform } from '../../src/transforms/spatial.js';
import { Random } from '../../src/util/random.js';

/** A (1, [D,] H, W) label map with box (corners layout, integer edges) set to 1. */
function paint(size: number[], box: number[]): ve.Tensor {
  const dims = size.length as BoxDims;
  const n = size.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n);
  const strides = size.map((_, t) => size.slice(t + 1).reduce((a, b) => a * b, 1));
  for (let v = 0; v < n; v++) {
    let inside = true;
    for (let t = 0; t < dims; t++) {
      const c = Math.floor(v / strides[t]!) % size[t]!;
      const a = dims - 1 - t;
      if (c < box[a]! || c >= box[dims + a]!) inside = false;
    }
    if (inside) data[v] = 1;
  }
  return ve.Tensor.from(data, [1, ...size], { dtype: 'uint8' });
}

/** Bounding box (corners layout, voxel edges) of the non-zero voxels of a (1, ...) map. */
function bbox(label: ve.Tensor): number[] {
  const size = label.shape.slice(1);
  const dims = size.length;
  const data = label.toArray();
  const lo = Array<number>(dims).fill(Infinity),
    hi = Array<number>(dims).fill(-Infinity);
  const strides = size.map((_, t) => size.slice(t + 1).reduce((a, b) => a * b, 1));
  for (let v = 0; v < data.length; v++) {
    if (!data[v]) continue;
    for (let t = 0; t < dims; t++) {
      const a = dims - 1 - t;
      const c = Math.floor(v / strides[t]!) % size[t]!;
      lo[a] = Math.min(lo[a]!, c);
      hi[a] = Math.max(hi[a]!, c + 1);
    }
  }
  return [...lo, ...hi];
}

const near = (
  a: ArrayLike<number> & Iterable<number>,
  b: ArrayLike<number> & Iterable<number>,
  tol: number,
  what: string,
) => {
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}: [${[...a]}] vs [${[...b]}]`);
};

test('flips and quarter turns move boxes exactly as they move the image (2D and 3D, non-square planes)', () => {
  const cases: Array<{ size: number[]; box: number[] }> = [
    { size: [12, 20], box: [3, 2, 9, 7] },
    { size: [6, 10, 14], box: [2, 1, 0, 9, 4, 3] },
  ];
  for (const { size, box } of cases) {
    const dims = size.length as BoxDims;
    const label = paint(size, box);
    for (let t = 0; t < dims; t++) {
      const moved = new Flip([t]).apply({ image: label.float(), label }).label!;
      assert.deepEqual([...flipBoxes(box, dims, size, [t])], bbox(moved), `flip axis ${t} of ${dims}D`);
    }
    const planes: Array<[number, number]> =
      dims === 2
        ? [[0, 1]]
        : [
            [0, 1],
            [0, 2],
            [1, 2],
          ];
    for (const plane of planes) {
      for (const k of [1, 2, 3]) {
        const moved = new Rot90(k, plane).apply({ image: label.float(), label }).label!;
        assert.deepEqual([...rot90Boxes(box, dims, size, k, plane)], bbox(moved), `rot90 k=${k} plane ${plane}`);
      }
    }
  }
});

test('the spatial transform (crop, scaling, rotation): the moved box is the tight box of the moved painted rectangle', () => {
  const size = [40, 48];
  const box = [14, 10, 30, 22];
  const label = paint(size, box);
  const params = [
    { patchSize: [24, 32], centre: [18, 20] }, // crop
    { patchSize: [32, 32], centre: [19.5, 23.5], scales: [0.5, 0.5] }, // zoom in ×2
    { patchSize: [40, 48], scales: [1.25, 1.25] }, // zoom out
    { patchSize: [40, 48], angles: [Math.PI / 6] }, // 30°
  ];
  for (const p of params) {
    const moved = new SpatialTransform(p).apply({ image: label.float(), label }).label!;
    // nearest sampling puts each painted edge within one output voxel of the exact one
    const out = [...p.patchSize].reverse();
    near(clipBoxes(spatialBoxes(box, 2, size, p), 2, out), bbox(moved), 1.01, JSON.stringify(p));
  }
});

test('a sampled augmentation (rotation, scaling, mirroring, quarter turns) moves boxes with its image, 3D', () => {
  const size = [20, 24, 28];
  const box = [8, 6, 5, 19, 15, 12];
  const label = paint(size, box);
  const aug = defaultAugmentation(
    3,
    {
      rotation: { p: 1, angle_deg: [-8, 8] },
      scaling: { p: 1, range: [0.8, 1.2] },
      rot90: { p: 1 },
      mirror: { p: 0.5 },
      gaussian_noise: { p: 1 },
    },
    { patchSize: [20, 24, 24] },
  );
  const rng = new Random(11);
  for (let i = 0; i < 6; i++) {
    const { subject, transform } = aug.apply({ image: label.float(), label }, rng);
    const { boxes, size: out } = boxesThroughCompose(box, 3, size, transform);
    assert.deepEqual(out, subject.label!.shape.slice(1));
    // rotation grows the tight box a little beyond the painted (rotated) block; nearest sampling ±1
    const painted = bbox(subject.label!);
    for (let a = 0; a < 3; a++) {
      assert.ok(boxes[a]! <= painted[a]! + 1.01 && boxes[a + 3]! >= painted[a + 3]! - 1.01, `sample ${i} axis ${a}`);
      assert.ok(painted[a]! - boxes[a]! < 3 && boxes[a + 3]! - painted[a + 3]! < 3, `sample ${i} axis ${a} too loose`);
    }
  }
  const elastic = defaultAugmentation(2, { elastic: { p: 1 } }, { patchSize: [16, 16] });
  const t = elastic.sample(new Random(1), { spatialShape: [16, 16], channels: 1 });
  assert.throws(
    () => boxesThroughCompose([1, 1, 4, 4], 2, [16, 16], t),
    /elastic and grid deformations do not move boxes/,
  );
});

test('keepInside clips to the patch and drops boxes that (nearly) left it', () => {
  const set = {
    dims: 2 as const,
    boxes: Float64Array.from([-10, 0, 10, 10, 5, 5, 15, 15, -30, 0, -1, 10, 28, 0, 33, 10]),
    labels: Int32Array.from([0, 1, 2, 1]),
  };
  const kept = keepInside(set, [20, 30]);
  // box 0: half visible → kept, clipped; box 1 inside; box 2 outside; box 3: 2/5 visible → kept
  assert.deepEqual([...kept.labels], [0, 1, 1]);
  assert.deepEqual([...kept.boxes], [0, 0, 10, 10, 5, 5, 15, 15, 28, 0, 30, 10]);
  assert.deepEqual([...keepInside(set, [20, 30], { minVisibility: 0.5 }).labels], [0, 1]);
});

test('resampling: boxes follow the image onto a grid of another spacing', () => {
  const from = {
    spacing: [1, 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
  };
  // 640 × 480 at spacing 1 → 320 × 240 at spacing 2: voxel centres at 0.5, 2.5, ... → origin 0.5
  const to = {
    ...from,
    spacing: [2, 2, 1] as [number, number, number],
    origin: [0.5, 0.5, 0] as [number, number, number],
  };
  near(resampleBoxes([100, 40, 300, 200], 2, from, to), [50, 20, 150, 100], 1e-9, 'halved');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxIou, generalizedBoxIou } from '../../src/detection/box-iou.js';
import { boxesFromWorld, boxesToWorld, sphereToVoxelBox, worldCentre } from '../../src/detection/box-geometry.js';
import { BOX_MODES, boxSizes, clipBoxes, convertBoxMode } from '../../src/detection/boxes.js';
import type { Mat3 } from '../../src/io/image.js';
import { Random } from '../../src/util/random.js';
import { runPythonJson } from '../helpers/python-json.js';
import { hasPythonModules, referenceTest } from '../helpers/reference.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9, what = '') => {
  assert.equal(a.length, b.length, `${what} length`);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]} (tol ${tol})`);
};

test('box modes: hand-written 2D and 3D conversions, and every mode round-trips', () => {
  const xyxy = [10, 20, 50, 60];
  assert.deepEqual([...convertBoxMode(xyxy, 2, 'corners', 'corner_size')], [10, 20, 40, 40]);
  assert.deepEqual([...convertBoxMode(xyxy, 2, 'corners', 'centre_size')], [30, 40, 40, 40]);
  assert.deepEqual([...convertBoxMode(xyxy, 2, 'corners', 'per_axis')], [10, 50, 20, 60]);
  const xyzxyz = [1, 2, 3, 5, 8, 13];
  assert.deepEqual([...convertBoxMode(xyzxyz, 3, 'corners', 'xyxyzz')], [1, 2, 5, 8, 3, 13]);
  assert.deepEqual([...convertBoxMode(xyzxyz, 3, 'corners', 'per_axis')], [1, 5, 2, 8, 3, 13]);
  assert.deepEqual([...convertBoxMode([3, 5, 8, 4, 6, 10], 3, 'centre_size')], [1, 2, 3, 5, 8, 13]);
  for (const mode of BOX_MODES) {
    if (mode !== 'xyxyzz') close(convertBoxMode(convertBoxMode(xyxy, 2, 'corners', mode), 2, mode), xyxy);
    close(convertBoxMode(convertBoxMode(xyzxyz, 3, 'corners', mode), 3, mode), xyzxyz);
  }
  assert.throws(() => convertBoxMode(xyxy, 2, 'xyxyzz'), /'xyxyzz' is a 3D layout/);
  assert.throws(() => convertBoxMode(xyxy, 2, 'xywh' as never), /unknown 'xywh'/);
  assert.throws(() => convertBoxMode([1, 2, 3], 2, 'corners'), /do not make 2D boxes/);
});

test('sizes and clipping: an inverted box has size 0; clipping keeps boxes inside [0, size]', () => {
  assert.deepEqual([...boxSizes([0, 0, 2, 3, 5, 5, 4, 9], 2)], [6, 0]);
  assert.deepEqual([...boxSizes([0, 0, 0, 2, 3, 4], 3)], [24]);
  assert.deepEqual([...clipBoxes([-5, 2, 700, 40], 2, [640, 480])], [0, 2, 640, 40]);
});

test('IoU and GIoU by hand, 2D and 3D, zero-size boxes give 0 (never NaN)', () => {
  // [0,2]² and [1,3]²: intersection 1, union 7, hull 9 → IoU 1/7, GIoU 1/7 − 2/9
  close(boxIou([0, 0, 2, 2], [1, 1, 3, 3], 2), [1 / 7]);
  close(generalizedBoxIou([0, 0, 2, 2], [1, 1, 3, 3], 2), [1 / 7 - 2 / 9]);
  // cubes [0,2]³ and [1,3]³: intersection 1, union 15, hull 27
  close(boxIou([0, 0, 0, 2, 2, 2], [1, 1, 1, 3, 3, 3], 3), [1 / 15]);
  close(generalizedBoxIou([0, 0, 0, 2, 2, 2], [1, 1, 1, 3, 3, 3], 3), [1 / 15 - 12 / 27]);
  // disjoint: IoU 0, GIoU negative; a point box: 0 with itself
  close(generalizedBoxIou([0, 0, 1, 1], [2, 0, 3, 1], 2), [0 - 1 / 3]);
  close(boxIou([5, 5, 5, 5], [5, 5, 5, 5], 2), [0]);
  assert.equal(boxIou([], [0, 0, 1, 1], 2).length, 0);
});

referenceTest(
  'IoU and GIoU matrices match torchvision.ops.box_iou / generalized_box_iou',
  hasPythonModules('torchvision'),
  'python3-torchvision',
  () => {
    const rng = new Random(3);
    const random = (n: number) =>
      Array.from({ length: n }, () => {
        const x = rng.uniform(0, 50),
          y = rng.uniform(0, 50);
        return [x, y, x + rng.uniform(1, 30), y + rng.uniform(1, 30)];
      }).flat();
    const a = random(7),
      b = random(5);
    const ref = runPythonJson<{ iou: number[]; giou: number[] }>(
      `import torch, torchvision.ops as ops
a = torch.tensor(data['a'], dtype=torch.float64).view(-1, 4); b = torch.tensor(data['b'], dtype=torch.float64).view(-1, 4)
print(json.dumps({'iou': ops.box_iou(a, b).flatten().tolist(), 'giou': ops.generalized_box_iou(a, b).flatten().tolist()}))`,
      { a, b },
    );
    close(boxIou(a, b, 2), ref.iou, 1e-12, 'iou');
    close(generalizedBoxIou(a, b, 2), ref.giou, 1e-12, 'giou');
  },
);

test('voxel ↔ patient: 2D raster geometry is the pixel grid shifted by half a pixel; 3D through spacing, origin and a flipped direction', () => {
  const identity = {
    spacing: [1, 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
  };
  close(boxesToWorld([10, 20, 50, 60], 2, identity), [9.5, 19.5, 0, 49.5, 59.5, 0]);
  close(boxesFromWorld(boxesToWorld([10, 20, 50, 60], 2, identity), 2, identity), [10, 20, 50, 60]);
  // CT-like: spacing 0.7 × 0.7 × 2.5, origin (−100, −120, 30), i towards R (flipped x), j towards P, k towards S
  const ct = {
    spacing: [0.7, 0.7, 2.5] as [number, number, number],
    origin: [-100, -120, 30] as [number, number, number],
    direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
  };
  const box = [10, 20, 4, 30, 50, 8];
  const world = boxesToWorld(box, 3, ct);
  // x: −100 − 0.7·(e − 0.5) for e = 10 and 30 → [−120.65, −106.65]
  close(
    world,
    [-100 - 0.7 * 29.5, -120 + 0.7 * 19.5, 30 + 2.5 * 3.5, -100 - 0.7 * 9.5, -120 + 0.7 * 49.5, 30 + 2.5 * 7.5],
    1e-9,
  );
  close(boxesFromWorld(world, 3, ct), box, 1e-9, 'round trip');
  close(worldCentre(box, 3, 0, ct), [-100 - 0.7 * 19.5, -120 + 0.7 * 34.5, 30 + 2.5 * 5.5], 1e-9);
  // a LUNA16-style sphere: centre at the world position of voxel (20, 30, 5), diameter 7 mm
  const centre = [-100 - 0.7 * 20, -120 + 0.7 * 30, 30 + 2.5 * 5];
  close(sphereToVoxelBox(centre, 7, ct), [20.5 - 5, 30.5 - 5, 5.5 - 1.4, 20.5 + 5, 30.5 + 5, 5.5 + 1.4], 1e-9);
});

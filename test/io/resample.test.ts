import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createImage, indexToWorld, type Mat3 } from '../../src/io/image.js';
import { resampleOnto, resampleToSpacing } from '../../src/io/resample.js';

// f(world) = 2x - 3y + 0.5z + 7: trilinear interpolation reproduces a linear function exactly.
const f = (w: readonly number[]) => 2 * w[0]! - 3 * w[1]! + 0.5 * w[2]! + 7;
const direction: Mat3 = [0.936, -0.352, 0, 0.352, 0.936, 0, 0, 0, 1];
const source = (() => {
  const shape = [20, 18, 16];
  const img = createImage(new Float64Array(20 * 18 * 16), shape, {
    spacing: [1, 1.5, 2],
    origin: [3, -4, 10],
    direction,
  });
  for (let k = 0, n = 0; k < 16; k++)
    for (let j = 0; j < 18; j++) for (let i = 0; i < 20; i++, n++) img.data[n] = f(indexToWorld(img, [i, j, k]));
  return img;
})();

test('linear resampling onto a rotated, finer grid reproduces a linear field inside and fills outside', () => {
  const grid = {
    shape: [30, 30, 20],
    spacing: [0.7, 0.7, 1.1] as [number, number, number],
    origin: [5, -1, 12] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3,
  };
  const out = resampleOnto(source, grid, { interpolation: 'linear', fill: -999 });
  let inside = 0;
  let outside = 0;
  for (let k = 0, n = 0; k < 20; k++)
    for (let j = 0; j < 30; j++)
      for (let i = 0; i < 30; i++, n++) {
        if (out.data[n] === -999) {
          outside++;
          continue;
        }
        inside++;
        const w = indexToWorld(out, [i, j, k]);
        // Near the edge (within half a voxel) values are clamped; test strictly interior points only.
        const idx = [0, 1, 2].map((a) => worldToIndexOf(w)[a]!);
        if (idx.every((x, a) => x >= 0 && x <= source.shape[a]! - 1))
          assert.ok(Math.abs(out.data[n]! - f(w)) < 1e-9, `${i},${j},${k}`);
      }
  assert.ok(inside > 1000 && outside > 100, `${inside} inside, ${outside} outside`);
  assert.ok(out.data instanceof Float64Array);
});

function worldToIndexOf(w: readonly number[]): number[] {
  // Inverse of the source geometry (rotation about z, so its inverse is the transpose).
  const d = [w[0]! - 3, w[1]! + 4, w[2]! - 10];
  const local = [direction[0] * d[0]! + direction[3] * d[1]!, direction[1] * d[0]! + direction[4] * d[1]!, d[2]!];
  return [local[0]! / 1, local[1]! / 1.5, local[2]! / 2];
}

test('nearest resampling keeps the label set and dtype; identity grid returns the same voxels', () => {
  const labels = createImage(
    Uint8Array.from({ length: 6 * 5 * 4 }, (_, n) => (n * 7) % 4),
    [6, 5, 4],
    { spacing: [2, 2, 2], origin: [1, 2, 3] },
  );
  const same = resampleOnto(labels, labels, { interpolation: 'nearest' });
  assert.deepEqual(Array.from(same.data), Array.from(labels.data));
  const fine = resampleToSpacing(labels, [1, 1, 1], { interpolation: 'nearest' });
  assert.deepEqual(fine.shape, [12, 10, 8]);
  assert.ok(fine.data instanceof Uint8Array);
  assert.deepEqual(new Set(fine.data), new Set(labels.data));
  // Output voxel (2, 2, 2) sits at world (3, 4, 5) = input index (1, 1, 1).
  assert.equal(fine.data[2 + 12 * (2 + 10 * 2)], labels.data[1 + 6 * (1 + 5 * 1)]);
});

test('a one-voxel shift of the target origin shifts the values; extra axes are resampled alike', () => {
  const img = createImage(
    Float32Array.from({ length: 4 * 1 * 1 * 2 }, (_, n) => n),
    [4, 1, 1, 2],
  );
  const out = resampleOnto(img, {
    shape: [4, 1, 1],
    spacing: [1, 1, 1],
    origin: [1, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  });
  assert.deepEqual(out.shape, [4, 1, 1, 2]);
  assert.deepEqual(Array.from(out.data), [1, 2, 3, 0, 5, 6, 7, 0]);
  const half = resampleOnto(img, {
    shape: [3, 1, 1],
    spacing: [1, 1, 1],
    origin: [0.25, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  });
  assert.deepEqual(Array.from(half.data), [0.25, 1.25, 2.25, 4.25, 5.25, 6.25]);
});

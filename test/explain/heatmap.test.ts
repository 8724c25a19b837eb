// Heatmaps go back to the input through physical geometry: a map made on the network's (resized,
// letterboxed) grid, resampled in world coordinates onto an anisotropic, rotated 3D input, has the
// input's shape — its 7 slices, not the network's 8 — and each value where its grid position says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareInput } from '../../src/data/classification/preprocess.js';
import { heatmapOnInput } from '../../src/explain/heatmap.js';
import { createImage, type Mat3 } from '../../src/io/image.js';

test('3D: resized to 8³ and back onto a rotated 20×16×7 grid with 3 mm slices', () => {
  const direction: Mat3 = [0, -1, 0, 1, 0, 0, 0, 0, 1];
  const input = createImage(new Float32Array(20 * 16 * 7).fill(1), [20, 16, 7], {
    spacing: [0.8, 0.9, 3],
    origin: [5, -3, 12],
    direction,
  });
  const prepared = prepareInput(input, { size: [8, 8, 8], fit: 'resize', channels: 'keep', intensity: 'none' }, 'x');
  // map value = the network grid's slice index d (tensor axis 0 = k)
  const map = Float32Array.from({ length: 512 }, (_, v) => Math.floor(v / 64));
  const heat = heatmapOnInput(map, prepared.grid, input);
  assert.deepEqual(heat.shape, [20, 16, 7]);
  assert.deepEqual(heat.spacing, input.spacing);
  assert.deepEqual(heat.direction, direction);
  for (let k = 0; k < 7; k++) {
    const expected = (k + 0.5) * (8 / 7) - 0.5;
    for (const [i, j] of [
      [0, 0],
      [19, 15],
      [7, 9],
    ] as const)
      assert.ok(
        Math.abs(heat.data[i + 20 * (j + 16 * k)]! - expected) < 1e-5,
        `slice ${k}: ${heat.data[i + 20 * (j + 16 * k)]} vs ${expected}`,
      );
  }
});

test('2D letterbox: the padding offset and the scale come back out', () => {
  const input = createImage(new Uint8Array(40 * 20).fill(100), [40, 20, 1], { spacing: [0.5, 0.5, 1] });
  const prepared = prepareInput(input, { size: [16, 16], fit: 'letterbox', channels: 'keep', intensity: 'auto' }, 'x');
  // 40 wide × 20 high → 16 × 8, padded by 4 rows above and below
  assert.equal(prepared.data[16 * 2 + 5], 0, 'padding');
  assert.ok(Math.abs(prepared.data[16 * 6 + 5]! - 100 / 255) < 1e-6, 'image');
  const byRow = Float32Array.from({ length: 256 }, (_, v) => Math.floor(v / 16));
  const byColumn = Float32Array.from({ length: 256 }, (_, v) => v % 16);
  const h = heatmapOnInput(byRow, prepared.grid, input);
  const w = heatmapOnInput(byColumn, prepared.grid, input);
  for (const [i, j] of [
    [3, 2],
    [20, 10],
    [36, 17],
  ] as const) {
    assert.ok(Math.abs(h.data[i + 40 * j]! - ((j + 0.5) * 0.4 - 0.5 + 4)) < 1e-5, `row at (${i}, ${j})`);
    assert.ok(Math.abs(w.data[i + 40 * j]! - ((i + 0.5) * 0.4 - 0.5)) < 1e-5, `column at (${i}, ${j})`);
  }
});

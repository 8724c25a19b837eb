import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Vec3 } from '../../src/io/image.js';
import { physicalDiagonal } from '../../src/metrics/grid.js';
import { extractSurface } from '../../src/metrics/surface.js';
import { surfaceDistances } from '../../src/metrics/surface-distance.js';
import { ballMask, boxMask, close } from './helpers.js';

test('surface of a 4×4×4 cube: 56 boundary voxels, exposed area 2·(s_j s_k + s_i s_k + s_i s_j)·16', () => {
  const shape: Vec3 = [8, 8, 8];
  const s = extractSurface(boxMask(shape, [2, 2, 2], [6, 6, 6]), { shape, spacing: [0.5, 1, 2] });
  assert.equal(s.indices.length, 64 - 8); // all but the 2×2×2 core
  // i-faces 2·16·(1·2) = 64, j-faces 2·16·(0.5·2) = 32, k-faces 2·16·(0.5·1) = 16
  close(s.totalArea, 112);
});

test('two 4×4×4 cubes offset by 2 voxels along i, spacing (0.5, 1, 2) mm: HD, HD95, ASSD, NSD by hand', () => {
  // A = [2,6)³, B = A shifted by 2 along i = [4,8)×[2,6)×[2,6).
  // A's 56 boundary voxels → nearest B boundary voxel (s_i = 0.5 mm):
  //  - ring voxels (j or k on A's side faces), 12 per i-slab: B's side faces contain (i', j, k) for
  //    i' in 4..7, so the distance is 0.5·(4 − i) for i < 4: i=2 → 1.0 mm, i=3 → 0.5 mm, i=4,5 → 0.
  //  - core-column voxels (j, k in {3,4}) are boundary only at i=2 and i=5; B's boundary at that
  //    (j,k) is only i'=4 or 7 (a side face is ≥ 1 mm away in j): i=2 → 1.0 mm, i=5 → 0.5 mm.
  //  So A→B: 16 × 1.0, 16 × 0.5, 24 × 0; B→A is the mirror image, the same multiset.
  // HD = 1.0. HD95: rank 0.95·55 = 52.25 falls among the 1.0s (sorted indices 40..55) → 1.0.
  // ASSD = 2·(16·1 + 16·0.5) / 112 = 24/56.
  // NSD: face areas s_j s_k = 2 (across i), s_i s_k = 1 (across j), s_i s_j = 0.5 (across k); each
  //  cube has area 112. A's i=2 slab (the 1.0 mm voxels) exposes 16·2 + 8·1 + 8·0.5 = 44.
  //  τ = 0.75: (112 − 44)·2 / 224 = 68/112. τ = 1: everything → 1.
  //  τ = 0.4: only the 0-distance voxels (rings of i=4 and i=5): i=4 ring 8·1 + 8·0.5 = 12,
  //  i=5 ring 12·2 + 12 = 36 → 48/112.
  const shape: Vec3 = [12, 8, 8];
  const grid = { shape, spacing: [0.5, 1, 2] as Vec3 };
  const a = boxMask(shape, [2, 2, 2], [6, 6, 6]);
  const b = boxMask(shape, [4, 2, 2], [8, 6, 6]);
  const r = surfaceDistances(a, b, grid, { tolerance: 0.75 });
  close(r.hd, 1);
  close(r.hd95, 1);
  close(r.assd, 24 / 56);
  close(r.nsd, 68 / 112);
  assert.equal(r.emptiness, 'none');
  close(surfaceDistances(a, b, grid, { tolerance: 1 }).nsd, 1);
  close(surfaceDistances(a, b, grid, { tolerance: 0.4 }).nsd, 48 / 112);
  // Symmetric in its arguments.
  assert.deepEqual(surfaceDistances(b, a, grid, { tolerance: 0.75 }), r);
});

test('identical masks are 0 mm apart with NSD 1', () => {
  const shape: Vec3 = [10, 9, 8];
  const a = boxMask(shape, [1, 2, 3], [7, 6, 5]);
  const r = surfaceDistances(a, a.slice(), { shape, spacing: [1.5, 0.8, 3] }, { tolerance: 0 });
  assert.deepEqual(r, { hd: 0, hd95: 0, assd: 0, nsd: 1, emptiness: 'none' });
});

test('a far false-positive blob makes HD95 large, not 0', () => {
  // GT = cube [2,6)³ (56 boundary voxels). Prediction = GT + a 3×3×3 blob at i = 30..32, j,k = 2..4.
  // GT's i=5 face holds (5, j, k) for every j,k of the blob, so a blob voxel is (i − 5) mm away:
  // 9 voxels at 25, 8 at 26 (the blob's centre (31,3,3) is interior), 9 at 27. Pred→GT sorted:
  // 56 zeros (indices 0..55), 25s at 56..64, 26s at 65..72, 27s at 73..81; rank 0.95·81 = 76.95 → 27.
  // GT→pred: all 0. HD95 = max(27, 0) = 27; HD = 27; ASSD = (9·25 + 8·26 + 9·27)/(82 + 56) = 676/138.
  const shape: Vec3 = [40, 8, 8];
  const gt = boxMask(shape, [2, 2, 2], [6, 6, 6]);
  const pred = boxMask(shape, [30, 2, 2], [33, 5, 5], gt.slice());
  const r = surfaceDistances(pred, gt, { shape, spacing: [1, 1, 1] });
  close(r.hd95, 27);
  close(r.hd, 27);
  close(r.assd, 676 / 138);
  // A single far voxel is only 1 of 57 surface elements, below the 5 % tail: HD95 ignores it by
  // definition, while HD reports it (|32 − 5| = 27 mm).
  const speck = gt.slice();
  speck[32 + 40 * (3 + 8 * 3)] = 1;
  const s = surfaceDistances(speck, gt, { shape, spacing: [1, 1, 1] });
  close(s.hd, 27);
  close(s.hd95, 0);
});

test('empty masks: both empty → 0 mm and NSD 1; one empty → the physical diagonal, NSD 0, never NaN', () => {
  const shape: Vec3 = [10, 20, 5];
  const grid = { shape, spacing: [0.5, 2, 3] as Vec3 };
  const empty = new Uint8Array(1000);
  const cube = boxMask(shape, [1, 1, 1], [3, 3, 3]);
  assert.deepEqual(surfaceDistances(empty, empty, grid), { hd: 0, hd95: 0, assd: 0, nsd: 1, emptiness: 'both-empty' });
  const diagonal = Math.sqrt(5 ** 2 + 40 ** 2 + 15 ** 2); // (10·0.5, 20·2, 5·3)
  close(physicalDiagonal(grid), diagonal);
  assert.deepEqual(surfaceDistances(empty, cube, grid), {
    hd: diagonal,
    hd95: diagonal,
    assd: diagonal,
    nsd: 0,
    emptiness: 'pred-empty',
  });
  assert.deepEqual(surfaceDistances(cube, empty, grid), {
    hd: diagonal,
    hd95: diagonal,
    assd: diagonal,
    nsd: 0,
    emptiness: 'gt-empty',
  });
});

test('2D (k = 1): squares offset diagonally, spacing (0.5, 2): contours and distances by hand', () => {
  // A = [0,3)² and B = [1,4)² on a 6×6 image. The k spacing must not matter.
  // A's boundary: all of A but the centre (1,1): 8 pixels. B's boundary: 8 pixels ((2,2) is interior).
  // A→B: (0,0) → nearest B boundary (1,1): √(0.5² + 2²) = √4.25; (1,0) → (1,1): 2; (2,0) → (2,1): 2;
  //  (0,1) → (1,1): 0.5; (0,2) → (1,2): 0.5; (1,2),(2,1),(2,2)... (2,2) is B-interior, but A's (2,2) is
  //  A-boundary → nearest B boundary (2,1) or (1,2): min(2, 0.5) = 0.5; (1,2) and (2,1) are on B's boundary: 0.
  //  So A→B = {√4.25, 2, 2, 0.5, 0.5, 0.5, 0, 0}; B→A is its point reflection, the same multiset.
  // HD = √4.25. HD95: rank 0.95·7 = 6.65 between sorted[6] = 2 and sorted[7] = √4.25 → 2 + 0.65(√4.25 − 2).
  // ASSD = 2·(√4.25 + 4 + 1.5)/16.
  const shape: Vec3 = [6, 6, 1];
  const a = boxMask(shape, [0, 0, 0], [3, 3, 1]);
  const b = boxMask(shape, [1, 1, 0], [4, 4, 1]);
  for (const sk of [1, 50]) {
    const r = surfaceDistances(a, b, { shape, spacing: [0.5, 2, sk] }, { tolerance: 0.5 });
    close(r.hd, Math.sqrt(4.25));
    close(r.hd95, 2 + 0.65 * (Math.sqrt(4.25) - 2));
    close(r.assd, (2 * (Math.sqrt(4.25) + 4 + 1.5)) / 16);
    // NSD at 0.5 mm: an edge across i has length s_j = 2, across j length s_i = 0.5, so each
    // square's perimeter is 2·(3·2 + 3·0.5) = 15. A's pixels farther than 0.5 mm: (0,0) exposes
    // 2 + 0.5, (1,0) 0.5, (2,0) 2 + 0.5 → 5.5; B the same by symmetry → (2·15 − 2·5.5)/(2·15).
    close(r.nsd, (15 - 5.5) / 15);
  }
});

test('two unions of balls with anisotropic spacing agree with scipy (reference/surface_distance_scipy.py)', () => {
  const shape: Vec3 = [30, 26, 14];
  const or = (x: Uint8Array, y: Uint8Array) => x.map((v, i) => v | y[i]!);
  const a = or(ballMask(shape, [12, 12, 6], 7), ballMask(shape, [22, 8, 4], 4));
  const b = or(ballMask(shape, [14, 13, 7], 6.5), ballMask(shape, [5, 20, 9], 3));
  const grid = { shape, spacing: [0.8, 1.1, 2.5] as Vec3 };
  assert.equal(extractSurface(a, grid).indices.length, 576);
  assert.equal(extractSurface(b, grid).indices.length, 504);
  const r1 = surfaceDistances(a, b, grid, { tolerance: 1 });
  close(r1.hd, 7.716216689544171, 1e-9, 'hd');
  close(r1.hd95, 5.956692362187822, 1e-9, 'hd95');
  close(r1.assd, 1.9894011732485506, 1e-9, 'assd');
  close(r1.nsd, 0.280096573947769, 1e-9, 'nsd 1 mm');
  close(surfaceDistances(a, b, grid, { tolerance: 2 }).nsd, 0.6471269991894512, 1e-9, 'nsd 2 mm');
});

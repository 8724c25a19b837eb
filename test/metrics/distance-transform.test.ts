import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Vec3 } from '../../src/io/image.js';
import { distanceTransform } from '../../src/metrics/distance-transform.js';
import { Random } from '../../src/util/random.js';

/** O(n²) truth: distance from every voxel centre to every feature voxel centre. */
function bruteForce(features: Uint8Array, shape: Vec3, spacing: Vec3): Float64Array {
  const [n0, n1, n2] = shape;
  const sites: Vec3[] = [];
  for (let k = 0; k < n2; k++)
    for (let j = 0; j < n1; j++)
      for (let i = 0; i < n0; i++) {
        if (features[i + n0 * (j + n1 * k)]) sites.push([i, j, k]);
      }
  const out = new Float64Array(n0 * n1 * n2).fill(Infinity);
  for (let k = 0; k < n2; k++)
    for (let j = 0; j < n1; j++)
      for (let i = 0; i < n0; i++) {
        let best = Infinity;
        for (const [a, b, c] of sites) {
          best = Math.min(best, Math.hypot((i - a) * spacing[0], (j - b) * spacing[1], (k - c) * spacing[2]));
        }
        out[i + n0 * (j + n1 * k)] = best;
      }
  return out;
}

test('exact EDT equals brute force on random 3D masks with anisotropic spacing', () => {
  const random = new Random(11);
  for (let trial = 0; trial < 40; trial++) {
    const shape: Vec3 = [1 + random.int(9), 1 + random.int(8), 1 + random.int(7)];
    const spacing: Vec3 = [0.3 + 3 * random.next(), 0.3 + 3 * random.next(), 0.3 + 3 * random.next()];
    const density = [0.02, 0.1, 0.5][trial % 3]!;
    const features = Uint8Array.from({ length: shape[0] * shape[1] * shape[2] }, () =>
      random.next() < density ? 1 : 0,
    );
    const fast = distanceTransform(features, shape, spacing);
    const slow = bruteForce(features, shape, spacing);
    for (let v = 0; v < fast.length; v++) {
      if (slow[v] === Infinity) assert.equal(fast[v], Infinity);
      else assert.ok(Math.abs(fast[v]! - slow[v]!) < 1e-9, `trial ${trial} voxel ${v}: ${fast[v]} vs ${slow[v]}`);
    }
  }
});

test('2D (k = 1) EDT equals brute force, and the k spacing plays no part', () => {
  const random = new Random(5);
  const shape: Vec3 = [23, 17, 1];
  const features = Uint8Array.from({ length: 23 * 17 }, () => (random.next() < 0.03 ? 1 : 0));
  const a = distanceTransform(features, shape, [0.7, 1.9, 1]);
  const b = distanceTransform(features, shape, [0.7, 1.9, 123]);
  assert.deepEqual(a, b);
  const slow = bruteForce(features, shape, [0.7, 1.9, 1]);
  for (let v = 0; v < a.length; v++) assert.ok(Math.abs(a[v]! - slow[v]!) < 1e-9);
});

test('a single site gives the anisotropic Euclidean distance; no site gives Infinity', () => {
  const shape: Vec3 = [5, 4, 3];
  const features = new Uint8Array(60);
  features[0] = 1; // voxel (0,0,0)
  const d = distanceTransform(features, shape, [2, 3, 5]);
  // voxel (4,3,2): √((4·2)² + (3·3)² + (2·5)²) = √(64 + 81 + 100) = √245
  assert.ok(Math.abs(d[4 + 5 * (3 + 4 * 2)]! - Math.sqrt(245)) < 1e-12);
  assert.ok(distanceTransform(new Uint8Array(60), shape, [1, 1, 1]).every((x) => x === Infinity));
});

import assert from 'node:assert/strict';
import { worldToIndex } from '../../src/io/geometry.js';
import { type Image, indexToWorld } from '../../src/io/image.js';

/** Every labelled voxel of `a` has the same label at the same patient position in `b`, and vice versa. */
export function assertSamePlaces(a: Image, b: Image): void {
  let count = 0;
  const [ni, nj, nk] = a.shape as [number, number, number];
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const value = a.data[i + ni * (j + nj * k)]!;
        if (!value) continue;
        count++;
        const [x, y, z] = worldToIndex(b, indexToWorld(a, [i, j, k])).map((t) => Math.round(t * 1000) / 1000);
        assert.ok([x, y, z].every(Number.isInteger), `voxel (${i},${j},${k}) lands between voxels: ${[x, y, z]}`);
        const at = x! + b.shape[0]! * (y! + b.shape[1]! * z!);
        assert.equal(b.data[at], value, `voxel (${i},${j},${k}) of value ${value}`);
      }
  let other = 0;
  for (const v of b.data) if (v) other++;
  assert.equal(other, count, 'the same number of labelled voxels');
}

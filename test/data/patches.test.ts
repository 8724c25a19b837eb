import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractPatch } from '../../src/data/patches.js';
import type { PreprocessedCase } from '../../src/data/preprocess.js';
import { IDENTITY } from '../../src/io/image.js';

function fakeCase(id: string, shape: [number, number, number], channels: number): PreprocessedCase {
  const n = shape[0] * shape[1] * shape[2];
  const data = Float32Array.from({ length: n * channels }, (_, v) => v); // value = flat index incl. channel
  const label = Uint8Array.from({ length: n }, (_, v) => (v % 7 === 0 ? 1 : 0));
  const grid = {
    shape,
    spacing: [1, 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [...IDENTITY] as typeof IDENTITY,
  };
  return {
    id,
    data,
    channels,
    shape,
    label,
    properties: { original: grid, crop: { originalShape: shape, box: { start: [0, 0, 0], end: shape } }, grid },
  };
}

test('a 3D patch inside the case holds exactly the case voxels, channel by channel', () => {
  const c = fakeCase('a', [6, 5, 4], 2);
  const p = extractPatch(c, { start: [1, 2, 1], size: [3, 2, 2] });
  const n = 120;
  const at = (i: number, j: number, k: number, ch: number) => i + 6 * (j + 5 * k) + n * ch;
  assert.equal(p.image.length, 2 * 12);
  assert.equal(p.image[0], at(1, 2, 1, 0));
  assert.equal(p.image[2 + 3 * (1 + 2 * 1)], at(3, 3, 2, 0));
  assert.equal(p.image[12], at(1, 2, 1, 1));
  assert.equal(p.label![0], at(1, 2, 1, 0) % 7 === 0 ? 1 : 0);
});

test('patches crossing the border are zero-padded; 2D patches on 2D cases', () => {
  const c = fakeCase('b', [4, 3, 1], 1);
  const p = extractPatch(c, { start: [-1, 0], size: [3, 2] });
  assert.deepEqual([...p.image], [0, 0, 1, 0, 4, 5]);
  assert.throws(
    () => extractPatch(fakeCase('3d', [4, 3, 2], 1), { start: [0, 0], size: [2, 2] }),
    /a 2D patch needs a 2D case/,
  );
});

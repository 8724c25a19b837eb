import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundingBox, cropToNonZero, extractBox, insertBox, nonZeroMask, restoreCrop } from '../../src/data/crop.js';

const at = (shape: number[], i: number, j: number, k: number, c = 0) =>
  i + shape[0]! * (j + shape[1]! * (k + shape[2]! * c));

test('bounding box of non-zero voxels over all channels', () => {
  const shape = [6, 5, 4, 2];
  const data = new Int16Array(6 * 5 * 4 * 2);
  data[at(shape, 1, 2, 3, 0)] = 5;
  data[at(shape, 4, 1, 1, 1)] = -2; // only in channel 1
  const box = boundingBox(nonZeroMask(data, shape), shape);
  assert.deepEqual(box, { start: [1, 1, 1], end: [5, 3, 4] });
  assert.equal(boundingBox(new Uint8Array(8), [2, 2, 2]), undefined);
});

test('crop to non-zero keeps channels, records the box, and restores exactly', () => {
  const shape = [6, 5, 4, 2];
  const data = new Float32Array(6 * 5 * 4 * 2);
  data[at(shape, 1, 2, 3, 0)] = 5;
  data[at(shape, 4, 1, 1, 1)] = -2;
  data[at(shape, 2, 2, 2, 1)] = 7;
  const c = cropToNonZero(data, shape);
  assert.deepEqual(c.shape, [4, 2, 3, 2]);
  assert.deepEqual(c.record, { originalShape: [6, 5, 4], box: { start: [1, 1, 1], end: [5, 3, 4] } });
  assert.ok(c.data instanceof Float32Array);
  assert.equal(c.data[at(c.shape, 0, 1, 2, 0)], 5);
  assert.equal(c.data[at(c.shape, 3, 0, 0, 1)], -2);
  assert.equal(c.data[at(c.shape, 1, 1, 1, 1)], 7);
  const back = restoreCrop(c.data, c.shape, c.record);
  assert.deepEqual(back.shape, shape);
  assert.deepEqual([...back.data], [...data]);
  // a label cropped with the image's box, and a prediction put back with background fill
  const label = new Uint8Array(6 * 5 * 4).fill(1);
  const lc = extractBox(label, [6, 5, 4], c.record.box);
  assert.deepEqual(lc.shape, [4, 2, 3]);
  const restored = restoreCrop(lc.data, lc.shape, c.record);
  assert.equal(
    restored.data.reduce((a, b) => a + b, 0),
    4 * 2 * 3,
  );
});

test('an all-zero image is kept whole', () => {
  const c = cropToNonZero(new Uint8Array(24), [2, 3, 4]);
  assert.deepEqual(c.shape, [2, 3, 4]);
});

test('extract a box crossing the border fills outside voxels; insert drops them', () => {
  const shape = [3, 3, 1];
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const b = extractBox(data, shape, { start: [-1, 1, 0], end: [2, 4, 1] }, 99);
  assert.deepEqual(b.shape, [3, 3, 1]);
  assert.deepEqual([...b.data], [99, 4, 5, 99, 7, 8, 99, 99, 99]);
  const target = new Uint8Array(9);
  insertBox(target, shape, b.data, { start: [-1, 1, 0], end: [2, 4, 1] });
  assert.deepEqual([...target], [0, 0, 0, 4, 5, 0, 7, 8, 0]);
});

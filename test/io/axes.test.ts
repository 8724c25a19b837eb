import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelsFirst, channelsLast, permuteData } from '../../src/io/axes.js';

test('permuteData matches a direct index computation on a 2×3×4 array', () => {
  const shape = [2, 3, 4];
  const data = Int32Array.from({ length: 24 }, (_, n) => n);
  const out = permuteData(data, shape, [2, 0, 1]); // out axes: (k, i, j)
  for (let k = 0; k < 4; k++)
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) {
        assert.equal(out[k + 4 * (i + 2 * j)], data[i + 2 * (j + 3 * k)]);
      }
  assert.equal(permuteData(data, shape, [0, 1, 2]), data);
});

test('channelsLast / channelsFirst de-interleave RGB and back', () => {
  const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6]); // two pixels
  const planar = channelsLast(rgb, [2, 1, 1], 3);
  assert.deepEqual(Array.from(planar), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(Array.from(channelsFirst(planar, [2, 1, 1, 3])), [1, 2, 3, 4, 5, 6]);
});

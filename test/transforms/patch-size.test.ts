import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultRotationDegrees } from '../../src/transforms/patch-size.js';

test('default rotation ranges follow nnU-Net', () => {
  assert.deepEqual(defaultRotationDegrees([512, 512]), [-180, 180]);
  assert.deepEqual(defaultRotationDegrees([512, 256]), [-15, 15]);
  assert.deepEqual(defaultRotationDegrees([128, 128, 128]), [-30, 30]);
});

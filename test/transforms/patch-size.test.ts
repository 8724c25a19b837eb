import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentationPatchSize, defaultRotationDegrees } from '../../src/transforms/patch-size.js';

// Reference: batchgenerators' get_patch_size re-run with numpy (nnU-Net passes rotation ±30° in 3D,
// ±180° in 2D and scale (0.85, 1.25)); nnU-Net's (z, y, x) order is our (k, j, i).
test('augmentation patch size matches nnU-Net / batchgenerators get_patch_size', () => {
  assert.deepEqual(augmentationPatchSize([128, 128, 128], [-30, 30]), [205, 205, 205]);
  assert.deepEqual(augmentationPatchSize([40, 56, 40], [-30, 30]), [64, 80, 73]); // numpy (z,y,x) [73, 80, 64]
  assert.deepEqual(augmentationPatchSize([160, 128, 64], [-30, 30]), [200, 224, 140]); // numpy (z,y,x) (64,128,160) → [140, 224, 200]
  assert.deepEqual(augmentationPatchSize([640, 640], [-180, 180]), [752, 752]);
  assert.deepEqual(augmentationPatchSize([256, 512], [-15, 15]), [301, 659]); // numpy (y,x) [659, 301] for (512, 256)
});

test('default rotation ranges follow nnU-Net', () => {
  assert.deepEqual(defaultRotationDegrees([512, 512]), [-180, 180]);
  assert.deepEqual(defaultRotationDegrees([512, 256]), [-15, 15]);
  assert.deepEqual(defaultRotationDegrees([128, 128, 128]), [-30, 30]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Resampler, preprocessCase, restoreToOriginal } from '../../src/data/preprocess.js';
import type { Plan } from '../../src/data/plan.js';
import { IDENTITY, type Mat3 } from '../../src/io/image.js';

const noResample: Resampler = () => {
  throw new Error('resampling was not expected');
};

function plan(over: Partial<Plan> = {}): Plan {
  return {
    dataset: 't',
    dimension: '3d',
    axis_order: 'ijk',
    channels: ['MR'],
    num_classes: 2,
    target_spacing: [1, 1, 2],
    original_median_spacing: [1, 1, 2],
    median_shape: [4, 4, 3],
    patch_size: [4, 4, 4],
    batch_size: 2,
    pools_per_axis: [1, 1, 1],
    pool_kernel_sizes: [
      [1, 1, 1],
      [2, 2, 2],
    ],
    conv_kernel_sizes: [
      [3, 3, 3],
      [3, 3, 3],
    ],
    features_per_stage: [32, 64],
    normalization: ['zscore'],
    use_mask_for_norm: [false],
    foreground_intensity: [
      { name: 'MR', mean: 0, median: 0, std: 1, min: 0, max: 1, percentile_00_5: 0, percentile_99_5: 1 },
    ],
    memory: { budget_bytes: 1, estimated_bytes_per_sample: 1 },
    overridden: [],
    ...over,
  };
}

test('crop to non-zero, normalise, keep label/ROI aligned; labels restore exactly onto the original grid', () => {
  const shape: [number, number, number] = [5, 4, 3];
  const n = 60;
  const image = new Float32Array(n);
  const label = new Uint8Array(n);
  const roi = new Uint8Array(n);
  const at = (i: number, j: number, k: number) => i + 5 * (j + 4 * k);
  // non-zero block i 1..3, j 1..2, k 0..1 with values 1..12
  let x = 1;
  for (let k = 0; k <= 1; k++) for (let j = 1; j <= 2; j++) for (let i = 1; i <= 3; i++) image[at(i, j, k)] = x++;
  label[at(2, 1, 1)] = 1;
  roi[at(1, 1, 0)] = 255;
  const geometry = {
    spacing: [1, 1, 2] as [number, number, number],
    origin: [10, 20, 30] as [number, number, number],
    direction: [...IDENTITY] as Mat3,
  };
  const p = preprocessCase(
    { id: 'c', shape, spacing: geometry.spacing, channels: [image], label, roi },
    geometry,
    plan(),
    noResample,
  );
  assert.deepEqual(p.shape, [3, 2, 2]);
  assert.deepEqual(p.properties.crop.box, { start: [1, 1, 0], end: [4, 3, 2] });
  assert.deepEqual(p.properties.grid.origin, [11, 21, 30]);
  // z-score of 1..12: mean 6.5, population std sqrt(143/12)
  const std = Math.sqrt(143 / 12);
  assert.ok(Math.abs(p.data[0]! - (1 - 6.5) / std) < 1e-6);
  assert.ok(Math.abs(p.data[11]! - (12 - 6.5) / std) < 1e-6);
  assert.equal(p.label![1 + 3 * (0 + 2 * 1)], 1);
  assert.equal(
    p.label!.reduce((a, b) => a + b, 0),
    1,
  );
  assert.equal(p.roi![0], 1);
  const back = restoreToOriginal(p.label!, 1, p.properties, 'labels', noResample);
  assert.deepEqual([...back], [...label]);
  // probabilities: background outside the crop
  const probs = new Float32Array(2 * 12);
  probs.fill(0.5);
  const restored = restoreToOriginal(probs, 2, p.properties, 'probabilities', noResample);
  assert.equal(restored.length, 2 * n);
  assert.deepEqual([restored[at(0, 0, 0)], restored[n + at(0, 0, 0)]], [1, 0]);
  assert.deepEqual([restored[at(2, 1, 1)], restored[n + at(2, 1, 1)]], [0.5, 0.5]);
});

test('CT normalisation uses the plan statistics; z-score in the non-zero mask when the plan says so', () => {
  const shape: [number, number, number] = [3, 1, 1];
  const geometry = {
    spacing: [1, 1, 2] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [...IDENTITY] as Mat3,
  };
  const ct = plan({
    channels: ['CT'],
    normalization: ['ct'],
    foreground_intensity: [
      { name: 'CT', mean: 100, median: 100, std: 50, min: -1000, max: 2000, percentile_00_5: 0, percentile_99_5: 200 },
    ],
  });
  const p = preprocessCase(
    { id: 'ct', shape, spacing: geometry.spacing, channels: [Float32Array.from([-500, 150, 900])] },
    geometry,
    ct,
    noResample,
  );
  assert.deepEqual([...p.data], [-2, 1, 2]);
  assert.throws(
    () =>
      preprocessCase(
        { id: 'x', shape, spacing: geometry.spacing, channels: [new Float32Array(3), new Float32Array(3)] },
        geometry,
        ct,
        noResample,
      ),
    /case x: 2 channels, the plan expects 1/,
  );
});

test('resampling to the target spacing and back: labels return exactly for an integer factor, geometry kept', () => {
  const shape: [number, number, number] = [8, 6, 4];
  const n = 8 * 6 * 4;
  const image = new Float32Array(n).fill(1);
  const label = new Uint8Array(n);
  const at = (i: number, j: number, k: number) => i + 8 * (j + 6 * k);
  for (let k = 1; k < 3; k++) for (let j = 2; j < 5; j++) for (let i = 3; i < 6; i++) label[at(i, j, k)] = 1;
  const geometry = {
    spacing: [1, 1, 2] as [number, number, number],
    origin: [-5, 3, 7] as [number, number, number],
    direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] as Mat3,
  };
  const p = preprocessCase(
    { id: 'r', shape, spacing: geometry.spacing, channels: [image], label },
    geometry,
    plan({ target_spacing: [0.5, 0.5, 2], normalization: ['none'] }),
  );
  assert.deepEqual(p.shape, [16, 12, 4]);
  assert.deepEqual(p.properties.grid.spacing, [0.5, 0.5, 2]);
  // extents aligned: the first new centre is at old index (−0.25, −0.25, 0); i runs along −y, j along +x
  assert.deepEqual(p.properties.grid.origin, [-5.25, 3.25, 7]);
  // each label voxel became 2×2 voxels (nearest), and the last row is inside the field (no fill)
  assert.equal(
    p.label!.reduce((a, b) => a + b, 0),
    4 * 18,
  );
  assert.ok(
    p.data.every((x) => Math.abs(x - 1) < 1e-6),
    'a constant image stays constant up to the edges',
  );
  const back = restoreToOriginal(p.label!, 1, p.properties, 'labels');
  assert.deepEqual([...back], [...label]);
  // a 2D plan keeps the k spacing
  const flat = preprocessCase(
    { id: 'f', shape: [8, 6, 1], spacing: [1, 1, 3], channels: [new Float32Array(48).fill(2)] },
    { ...geometry, spacing: [1, 1, 3] },
    plan({ dimension: '2d', target_spacing: [2, 2] }),
  );
  assert.deepEqual(flat.shape, [4, 3, 1]);
  assert.deepEqual(flat.properties.grid.spacing, [2, 2, 3]);
});

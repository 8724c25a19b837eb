import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import type { CaseFingerprint, DatasetFingerprint } from '../../src/data/fingerprint.js';
import { fingerprintCase, summarizeFingerprint } from '../../src/data/fingerprint.js';
import {
  estimateActivationBytes,
  formatPlan,
  loadPlan,
  planFromFingerprint,
  poolAndConvProps,
  savePlan,
  targetSpacing,
} from '../../src/data/plan.js';
import { discoverFolders } from '../../src/data/layout/folders.js';
import { planDataset } from '../../src/data/planning.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { readImage } from '../../src/io/read.js';
import { tempTree } from '../helpers/tmp.js';

function fingerprint(
  cases: Array<{ spacing: [number, number, number]; shape: [number, number, number]; crop?: [number, number, number] }>,
  channels = ['MRI'],
  numClasses = 2,
): DatasetFingerprint {
  return {
    dataset: 'synthetic',
    channels,
    num_classes: numClasses,
    cases: cases.map((c, i) => ({
      id: `c${i}`,
      spacing: c.spacing,
      shape: c.shape,
      shape_after_crop: c.crop ?? c.shape,
      class_voxels: [1, 1],
    })),
    foreground_intensity: channels.map((name) => ({
      name,
      mean: 0,
      median: 0,
      std: 1,
      min: 0,
      max: 1,
      percentile_00_5: 0,
      percentile_99_5: 1,
    })),
    class_frequencies: [0.5, 0.5],
    median_relative_size_after_crop: 1,
  };
}

test('Hippocampus-like 3D plan matches nnU-Net v2 (patch 40×56×40, 3 pools, batch 9 by the 5 % rule)', () => {
  const fp = fingerprint(Array.from({ length: 260 }, () => ({ spacing: [1, 1, 1], shape: [36, 50, 35] })));
  const plan = planFromFingerprint(fp);
  assert.equal(plan.dimension, '3d');
  assert.deepEqual(plan.target_spacing, [1, 1, 1]);
  assert.deepEqual(plan.median_shape, [36, 50, 35]);
  assert.deepEqual(plan.patch_size, [40, 56, 40]);
  assert.deepEqual(plan.pools_per_axis, [3, 3, 3]);
  assert.deepEqual(plan.features_per_stage, [32, 64, 128, 256]);
  // 36·50·35·260·0.05 / (40·56·40) = 9.14 → 9
  assert.equal(plan.batch_size, 9);
  assert.deepEqual(plan.normalization, ['zscore']);
  assert.deepEqual(plan.use_mask_for_norm, [false]);
});

test('target spacing: median, and the 10th percentile on a > 3× coarser axis with few voxels', () => {
  assert.deepEqual(
    targetSpacing(
      [
        [1, 1, 2],
        [1, 1, 3],
        [1, 1, 4],
      ],
      [
        [100, 100, 50],
        [100, 100, 50],
        [100, 100, 50],
      ],
    ),
    [1, 1, 3],
  );
  const spacings = [
    [0.7, 0.7, 5],
    [0.7, 0.7, 5],
    [0.7, 0.7, 5],
    [0.8, 0.8, 3],
    [0.7, 0.7, 2.5],
    [0.7, 0.7, 6],
  ];
  const shapes = spacings.map(() => [512, 512, 30]);
  // median z = 5 > 3·0.7 and 30·3 < 512: z takes percentile 10 of [2.5, 3, 5, 5, 5, 6] = 2.5 + 0.5·(3 − 2.5) = 2.75
  const t = targetSpacing(spacings, shapes);
  assert.deepEqual(t.slice(0, 2), [0.7, 0.7]);
  assert.ok(Math.abs(t[2]! - 2.75) < 1e-12);
  // many voxels along z: no anisotropic treatment
  assert.equal(
    targetSpacing(
      spacings,
      spacings.map(() => [512, 512, 400]),
    )[2],
    5,
  );
});

test('pooling is anisotropy-aware: the coarse axis waits until the others are within 2×', () => {
  const t = poolAndConvProps([0.7, 0.7, 5], [256, 256, 20]);
  assert.deepEqual(t.poolsPerAxis, [6, 6, 2]);
  assert.deepEqual(t.poolKernelSizes, [
    [1, 1, 1],
    [2, 2, 1],
    [2, 2, 1],
    [2, 2, 2],
    [2, 2, 2],
    [2, 2, 1],
    [2, 2, 1],
  ]);
  assert.deepEqual(t.convKernelSizes, [
    [3, 3, 1],
    [3, 3, 1],
    [3, 3, 3],
    [3, 3, 3],
    [3, 3, 3],
    [3, 3, 3],
    [3, 3, 3],
  ]);
  assert.deepEqual(t.patchSize, [256, 256, 20]);
  // isotropic: pool while the edge stays ≥ 4; the patch is padded to a multiple of 2^pools
  const iso = poolAndConvProps([1, 1], [565, 584]);
  assert.deepEqual(iso.poolsPerAxis, [7, 7]);
  assert.deepEqual(iso.patchSize, [640, 640]);
});

test('activation estimate, hand-counted for a two-stage 2D U-Net', () => {
  // sizes 64 and 16 px; input 1·64 + logits 2·64; encoder 2·3·32·64 + 2·3·64·16; decoder stage 0: (32 + 64 + 6·32)·64
  assert.equal(
    estimateActivationBytes(
      [8, 8],
      [
        [1, 1],
        [2, 2],
      ],
      [32, 64],
      1,
      2,
      2,
      true,
    ),
    4 * (192 + 12288 + 6144 + 18432),
  );
});

test('DRIVE-like 2D plan: 2D from k = 1, patch padded to 640², 512-capped features, batch ≥ 2', () => {
  const fp = fingerprint(
    Array.from({ length: 20 }, () => ({ spacing: [1, 1, 1], shape: [565, 584, 1] })),
    ['rgb:0', 'rgb:1', 'rgb:2'],
  );
  const plan = planFromFingerprint(fp);
  assert.equal(plan.dimension, '2d');
  assert.deepEqual(plan.target_spacing, [1, 1]);
  assert.deepEqual(plan.patch_size, [640, 640]);
  assert.deepEqual(plan.features_per_stage, [32, 64, 128, 256, 512, 512, 512, 512]);
  assert.equal(plan.batch_size, 2);
  assert.deepEqual(plan.normalization, ['zscore', 'zscore', 'zscore']);
  assert.ok(plan.memory.estimated_bytes_per_sample * 2 <= plan.memory.budget_bytes);
});

test('the patch shrinks to fit the memory budget, largest axis relative to the median first', () => {
  const fp = fingerprint(Array.from({ length: 10 }, () => ({ spacing: [1, 1, 1], shape: [512, 512, 256] })));
  const big = planFromFingerprint(fp);
  const small = planFromFingerprint(fp, { overrides: { memory_budget_gb: 1 } });
  for (const plan of [big, small]) {
    assert.ok(plan.memory.estimated_bytes_per_sample * 2 <= plan.memory.budget_bytes, 'two samples fit');
    plan.patch_size.forEach((p, d) => assert.equal(p % 2 ** plan.pools_per_axis[d]!, 0, 'divisible by 2^pools'));
    assert.ok(plan.batch_size >= 2);
  }
  assert.ok(small.patch_size.reduce((a, b) => a * b, 1) < big.patch_size.reduce((a, b) => a * b, 1));
  // the k axis (median 256 vs 512) is relatively largest in a 256³ start, so it shrinks first
  assert.ok(small.patch_size[2]! <= small.patch_size[0]!);
  assert.equal(small.memory.budget_bytes, 2 ** 30);
});

test('CT channels get CT normalisation; z-score uses the mask when cropping removed > 25 %', () => {
  const fp = fingerprint([{ spacing: [1, 1, 1], shape: [64, 64, 64] }], ['CT', 'T2']);
  fp.median_relative_size_after_crop = 0.5;
  const plan = planFromFingerprint(fp);
  assert.deepEqual(plan.normalization, ['ct', 'zscore']);
  assert.deepEqual(plan.use_mask_for_norm, [false, true]);
});

test('every field can be overridden; wrong overrides are option errors', () => {
  const fp = fingerprint(Array.from({ length: 20 }, () => ({ spacing: [1, 1, 1], shape: [565, 584, 1] })));
  const plan = planFromFingerprint(fp, {
    overrides: { patch_size: [256, 256], batch_size: 8, normalization: ['rgb_to_0_1'], target_spacing: [2, 2] },
  });
  assert.deepEqual(plan.patch_size, [256, 256]);
  assert.equal(plan.batch_size, 8);
  assert.deepEqual(plan.normalization, ['rgb_to_0_1']);
  assert.deepEqual(plan.median_shape, [282, 292]); // 565/2 = 282.5 → 282: numpy rounds halves to even
  assert.deepEqual(plan.pools_per_axis, [6, 6]);
  assert.deepEqual(plan.overridden.sort(), ['batch_size', 'normalization', 'patch_size', 'target_spacing']);
  assert.throws(
    () => planFromFingerprint(fp, { overrides: { patch_size: [250, 256] } }),
    /plan\.patch_size: \[250, 256\] must be divisible by \[64, 64\]/,
  );
  assert.throws(
    () => planFromFingerprint(fp, { overrides: { patch_size: [64, 64, 64] } }),
    /plan\.patch_size: needs 2 values/,
  );
  assert.throws(
    () => planFromFingerprint(fp, { overrides: { normalization: ['ct', 'ct'] } }),
    /plan\.normalization: lists 2 schemes for 1 channels/,
  );
  const pooled = planFromFingerprint(fp, {
    overrides: { patch_size: [128, 128], pools_per_axis: [3, 3], features_per_stage: [16, 32, 64, 128] },
  });
  assert.deepEqual(pooled.features_per_stage, [16, 32, 64, 128]);
  assert.equal(pooled.pool_kernel_sizes.length, 4);
});

test('plans round-trip through JSON with validation', () => {
  const fp = fingerprint([{ spacing: [1, 1, 1], shape: [64, 64, 64] }]);
  const plan = planFromFingerprint(fp);
  const dir = tempTree({ 'broken.json': '{"dataset": 3}' });
  savePlan(join(dir, 'plan.json'), plan);
  assert.deepEqual(loadPlan(join(dir, 'plan.json')), plan);
  assert.throws(() => loadPlan(join(dir, 'broken.json')), /broken\.json: not a valid plan: dataset: /);
  assert.match(formatPlan(plan), /patch size\s+64 × 64 × 64/);
});

test('fingerprint of a loaded case: crop to non-zero, class voxels, foreground samples', () => {
  const shape: [number, number, number] = [4, 4, 1];
  const image = new Float32Array(16);
  const label = new Uint8Array(16);
  // non-zero region i 1..2, j 1..3; foreground (label 1) has value 7
  for (const [i, j, v, l] of [
    [1, 1, 3, 0],
    [2, 1, 7, 1],
    [1, 2, 7, 1],
    [2, 3, 3, 0],
  ] as const) {
    image[i + 4 * j] = v;
    label[i + 4 * j] = l;
  }
  const fpCase = fingerprintCase({ id: 'x', shape, spacing: [0.5, 0.5, 1], channels: [image], label }, 2, {
    samplesPerCase: 50,
  });
  assert.deepEqual(fpCase.shape_after_crop, [2, 3, 1]);
  assert.deepEqual(fpCase.class_voxels, [14, 2]);
  assert.equal(fpCase.samples[0]!.length, 50);
  assert.ok(
    fpCase.samples[0]!.every((x) => x === 7),
    'samples only from foreground',
  );
  assert.throws(
    () =>
      fingerprintCase({ id: 'y', shape, spacing: [1, 1, 1], channels: [image], label: new Uint8Array(16).fill(5) }, 2),
    /case y: label value 5/,
  );
});

test('dataset statistics: numpy percentiles, population std, class frequencies', () => {
  const samples = Float32Array.from({ length: 100 }, (_, i) => i + 1);
  const c: CaseFingerprint = {
    id: 'a',
    spacing: [1, 1, 1],
    shape: [10, 10, 1],
    shape_after_crop: [5, 10, 1],
    class_voxels: [75, 25],
    samples: [samples],
  };
  const fp = summarizeFingerprint('d', ['T1'], 2, [c]);
  const s = fp.foreground_intensity[0]!;
  assert.equal(s.mean, 50.5);
  assert.ok(Math.abs(s.std - Math.sqrt((100 ** 2 - 1) / 12)) < 1e-9);
  assert.ok(Math.abs(s.percentile_00_5 - 1.495) < 1e-9);
  assert.ok(Math.abs(s.percentile_99_5 - 99.505) < 1e-9);
  assert.equal(s.median, 50.5);
  assert.deepEqual([s.min, s.max], [1, 100]);
  assert.deepEqual(fp.class_frequencies, [0.75, 0.25]);
  assert.equal(fp.median_relative_size_after_crop, 0.5);
  assert.ok(!('samples' in fp.cases[0]!));
  assert.throws(() => summarizeFingerprint('d', ['T1'], 2, []), /empty dataset/);
});

test(
  'DRIVE on disk: fingerprint and plan through a reader (2D, 3 channels, vessel frequency ≈ 8.7 %)',
  skipUnlessData('drive-retina'),
  async () => {
    const root = sharedData('drive-retina')!;
    const dataset = discoverFolders({
      root,
      classes: [
        { name: 'background', value: 0 },
        { name: 'vessel', value: 1 },
      ],
      channels: ['rgb'],
      images: [{ dir: 'training/images', pattern: '^(\\d+)_training\\.tif$' }],
      labels: { dir: 'training/1st_manual', pattern: '^(\\d+)_manual1\\.gif$' },
      roi: { dir: 'training/mask', pattern: '^(\\d+)_training_mask\\.gif$' },
    });
    const { fingerprint, plan } = await planDataset(dataset, readImage);
    assert.deepEqual(fingerprint.channels, ['rgb:0', 'rgb:1', 'rgb:2']);
    assert.equal(fingerprint.cases.length, 20);
    assert.ok(fingerprint.cases.every((c) => c.shape.join() === '565,584,1'));
    // SOURCE.md: vessels are ~7–9 % of pixels in the 1st_manual masks (0/255 mapped to 0/1)
    assert.ok(
      fingerprint.class_frequencies[1]! > 0.07 && fingerprint.class_frequencies[1]! < 0.1,
      `${fingerprint.class_frequencies}`,
    );
    const red = fingerprint.foreground_intensity[0]!;
    assert.ok(red.min >= 0 && red.max <= 255 && red.percentile_00_5 <= red.mean && red.mean <= red.percentile_99_5);
    assert.equal(plan.dimension, '2d');
    assert.equal(plan.channels.length, 3);
    assert.equal(plan.batch_size, 2);
    plan.patch_size.forEach((p, d) => assert.equal(p % 2 ** plan.pools_per_axis[d]!, 0));
    assert.deepEqual(plan.normalization, ['zscore', 'zscore', 'zscore']);
  },
);

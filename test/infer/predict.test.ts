import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planSchema, type Plan } from '../../src/data/plan.js';
import { groupInputs, predictCase, predictImages, type PredictionRun } from '../../src/infer/predict.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { createImage, type Mat3 } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { FileFormatError, ShapeError } from '../../src/util/errors.js';
import { thresholdModel } from '../helpers/pointwise-model.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { tempDir } from '../helpers/tmp.js';

function plan(overrides: Partial<Plan>): Plan {
  const dims = overrides.dimension === '2d' ? 2 : 3;
  const channels = overrides.channels ?? ['MR'];
  return planSchema.parse({
    dataset: 'test',
    dimension: '3d',
    axis_order: 'ijk',
    channels,
    num_classes: 2,
    target_spacing: new Array(dims).fill(1),
    original_median_spacing: new Array(dims).fill(1),
    median_shape: new Array(dims).fill(32),
    patch_size: new Array(dims).fill(16),
    batch_size: 2,
    pools_per_axis: new Array(dims).fill(2),
    pool_kernel_sizes: [],
    conv_kernel_sizes: [],
    features_per_stage: [4, 8, 16],
    normalization: channels.map(() => 'none'),
    use_mask_for_norm: channels.map(() => false),
    foreground_intensity: channels.map((name) => ({
      name,
      mean: 0,
      median: 0,
      std: 1,
      min: -1,
      max: 1,
      percentile_00_5: -1,
      percentile_99_5: 1,
    })),
    memory: { budget_bytes: 1, estimated_bytes_per_sample: 1 },
    overridden: [],
    ...overrides,
  });
}

/** A 2D plan for ni × nj images at 1 mm with 16² patches. */
function plan2d(ni: number, nj: number): Plan {
  return plan({
    dimension: '2d',
    target_spacing: [1, 1],
    original_median_spacing: [1, 1],
    median_shape: [ni, nj],
    patch_size: [16, 16],
    pools_per_axis: [2, 2],
  });
}

function run(p: Plan, threshold = 0): PredictionRun {
  return {
    plan: p,
    model: thresholdModel(threshold, p.channels.length),
    datasetInfo: { channels: p.channels, numClasses: 2 },
  };
}

/** 30° about an oblique axis: a proper rotation, columns are the world directions of i, j, k. */
function obliqueDirection(): Mat3 {
  const [x, y, z] = [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)];
  const c = Math.cos(Math.PI / 6),
    s = Math.sin(Math.PI / 6),
    t = 1 - c;
  return [
    t * x * x + c,
    t * x * y - s * z,
    t * x * z + s * y,
    t * x * y + s * z,
    t * y * y + c,
    t * y * z - s * x,
    t * x * z - s * y,
    t * y * z + s * x,
    t * z * z + c,
  ];
}

/** 0 in a margin (cropped away), −1 inside, +1 in an L-shaped object (no symmetry to hide a flip). */
function phantom(shape: [number, number, number]): Float32Array {
  const [ni, nj, nk] = shape;
  const data = new Float32Array(ni * nj * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const inside = i >= 3 && i < ni - 2 && j >= 2 && j < nj - 4 && k >= 1 && k < nk - 1;
        const object =
          (i >= 8 && i < 30 && j >= 6 && j < 14 && k >= 2 && k < 8) ||
          (i >= 8 && i < 14 && j >= 6 && j < 30 && k >= 2 && k < 8);
        data[i + ni * (j + nj * k)] = !inside ? 0 : object ? 1 : -1;
      }
  return data;
}

test('an oblique, anisotropic NIfTI is resampled by the plan and its label map comes back on the input grid', async () => {
  const dir = tempDir();
  const shape: [number, number, number] = [40, 36, 10];
  const geometry = {
    spacing: [0.8, 1.1, 3] as [number, number, number],
    origin: [10, -20, 5] as [number, number, number],
    direction: obliqueDirection(),
  };
  const data = phantom(shape);
  const input = join(dir, 'case_a.nii.gz');
  await writeImage(createImage(data, shape, geometry), input);
  const p = plan({ target_spacing: [1, 1, 1.5], patch_size: [16, 16, 8] });
  const written = await predictImages(run(p), groupInputs([input], 1), {
    output: join(dir, 'out'),
    tta: false,
    probabilities: true,
  });
  assert.deepEqual(
    written.map((w) => w.id),
    ['case_a'],
  );
  const labels = await readImage(written[0]!.labels);
  assert.deepEqual(labels.shape.slice(0, 3), shape);
  for (let d = 0; d < 3; d++) {
    assert.ok(Math.abs(labels.spacing[d]! - geometry.spacing[d]!) < 1e-5);
    assert.ok(Math.abs(labels.origin[d]! - geometry.origin[d]!) < 1e-4);
  }
  labels.direction.forEach((v, n) => assert.ok(Math.abs(v - geometry.direction[n]!) < 1e-5));
  // The threshold model labels the object; resampling there and back blurs only its edges.
  let agree = 0,
    objectVoxels = 0,
    hits = 0;
  for (let v = 0; v < data.length; v++) {
    const truth = data[v]! > 0 ? 1 : 0;
    if (labels.data[v] === truth) agree++;
    if (truth) {
      objectVoxels++;
      if (labels.data[v] === 1) hits++;
    }
  }
  assert.ok(agree / data.length > 0.97, `agreement ${agree / data.length}`);
  assert.ok(hits / objectVoxels > 0.85, `object recall ${hits / objectVoxels}`);
  // the cropped margin is background
  assert.equal(labels.data[0], 0);

  const probs = await readImage(written[0]!.probabilities!);
  assert.deepEqual(probs.shape, [...shape, 2]);
  const n = data.length;
  for (let v = 0; v < n; v++)
    assert.ok(Math.abs(probs.data[v]! + probs.data[n + v]! - 1) < 1e-5, `probabilities sum to 1 at ${v}`);
  assert.equal(probs.data[0], 1, 'background probability 1 outside the crop');
});

test('a 2D PNG gives a PNG label map of the same size; the threshold is exact without resampling', async () => {
  const dir = tempDir();
  const [ni, nj] = [45, 30];
  const grey = new Uint8Array(ni * nj);
  for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) grey[i + ni * j] = 1 + ((i * 7 + j * 13) % 250);
  const input = join(dir, 'img_0000.png');
  await writeImage(createImage(grey, [ni, nj]), input);
  const p = plan2d(ni, nj);
  const written = await predictImages(run(p, 127.5), groupInputs([input], 1), { output: join(dir, 'out') });
  assert.equal(written[0]!.labels, join(dir, 'out', 'img.png'));
  const labels = await readImage(written[0]!.labels);
  assert.deepEqual(labels.shape.slice(0, 2), [ni, nj]);
  for (let v = 0; v < grey.length; v++) assert.equal(labels.data[v], grey[v]! > 127.5 ? 1 : 0);
});

test('an ensemble of two identical models gives exactly the single model; TTA of a pointwise model changes nothing', async () => {
  const dir = tempDir();
  const shape: [number, number, number] = [40, 36, 10];
  const input = join(dir, 'vol.nii.gz');
  await writeImage(createImage(phantom(shape), shape, { spacing: [1, 1, 2] }), input);
  const p = plan({ target_spacing: [1, 1, 2], patch_size: [16, 16, 8] });
  const [c] = groupInputs([input], 1);
  const single = await predictCase(run(p), c!, { probabilities: true, tta: false });
  const pair = await predictCase([run(p), run(p)], c!, { probabilities: true, tta: false });
  const mirrored = await predictCase(run(p), c!, { probabilities: true, tta: true, batchSize: 4 });
  assert.deepEqual(pair.probabilities!.data, single.probabilities!.data);
  assert.deepEqual(pair.labels.data, single.labels.data);
  const a = single.probabilities!.data,
    b = mirrored.probabilities!.data;
  for (let v = 0; v < a.length; v++) assert.ok(Math.abs(a[v]! - b[v]!) < 1e-5);
});

test("windows per pass: --batch, else the model's preferredWindowBatch, else defaultWindowBatch", async () => {
  const dir = tempDir();
  const [ni, nj] = [64, 48];
  const grey = Uint8Array.from({ length: ni * nj }, (_, v) => v % 251);
  const input = join(dir, 'img_0000.png');
  await writeImage(createImage(grey, [ni, nj]), input);
  const p = plan2d(ni, nj);
  const [c] = groupInputs([input], 1);
  const batchesOf = async (preferred: number | undefined, batchSize?: number) => {
    const model = thresholdModel(127.5);
    const seen: number[] = [];
    const counting = {
      preferredWindowBatch: preferred,
      forward: (x: Tensor) => {
        seen.push(x.shape[0]!);
        return model.forward(x);
      },
    };
    await predictCase({ ...run(p), model: counting }, c!, { tta: false, batchSize });
    return Math.max(...seen);
  };
  assert.equal(await batchesOf(undefined), 8, 'defaultWindowBatch of a 16² patch');
  assert.equal(await batchesOf(1), 1, 'the model prefers one window at a time');
  assert.equal(await batchesOf(1, 4), 4, 'an explicit batch wins');
});

test('post-processing: keep the largest component drops a separate blob', async () => {
  const dir = tempDir();
  const shape: [number, number, number] = [40, 36, 10];
  const data = phantom(shape);
  data[35 + 40 * (28 + 36 * 5)] = 1; // one isolated voxel inside the brain region
  const input = join(dir, 'vol.nii.gz');
  await writeImage(createImage(data, shape), input);
  const p = plan({ patch_size: [16, 16, 8] });
  const [c] = groupInputs([input], 1);
  const plain = await predictCase(run(p), c!, { tta: false });
  const largest = await predictCase(run(p), c!, { tta: false, postprocess: { keepLargest: true } });
  const at = 35 + 40 * (28 + 36 * 5);
  assert.equal(plain.labels.data[at], 1);
  assert.equal(largest.labels.data[at], 0);
});

test('multi-channel inputs: comma-joined files or _0000/_0001 files form one case; a wrong count is refused before writing', async () => {
  const dir = tempDir();
  const shape: [number, number, number] = [20, 20, 6];
  const img = createImage(phantom([20, 20, 6]), shape);
  for (const name of ['p_0000.nii.gz', 'p_0001.nii.gz', 'q_0000.nii.gz', 'q_0001.nii.gz'])
    await writeImage(img, join(dir, name));
  const grouped = groupInputs(
    [join(dir, 'q_0001.nii.gz'), join(dir, 'p_0000.nii.gz'), join(dir, 'p_0001.nii.gz'), join(dir, 'q_0000.nii.gz')],
    2,
  );
  assert.deepEqual(
    grouped.map((g) => g.id),
    ['q', 'p'],
  );
  assert.deepEqual(grouped[0]!.files, [join(dir, 'q_0000.nii.gz'), join(dir, 'q_0001.nii.gz')]);
  assert.deepEqual(groupInputs([`${join(dir, 'p_0000.nii.gz')},${join(dir, 'q_0000.nii.gz')}`], 2)[0]!.files.length, 2);

  // one folder per patient with the same file names: the folder names the case
  for (const patient of ['pat1', 'pat2']) {
    mkdirSync(join(dir, patient));
    for (const name of ['flair.nii.gz', 't1c.nii.gz']) await writeImage(img, join(dir, patient, name));
  }
  const perFolder = groupInputs(
    ['pat1', 'pat2'].map((pt) => `${join(dir, pt, 'flair.nii.gz')},${join(dir, pt, 't1c.nii.gz')}`),
    2,
  );
  assert.deepEqual(
    perFolder.map((g) => g.id),
    ['pat1', 'pat2'],
  );

  const p2 = plan({ channels: ['FLAIR', 'T1c'], patch_size: [16, 16, 8] });
  const out = join(dir, 'out');
  await assert.rejects(
    predictImages(run(p2), [{ id: 'p', files: [join(dir, 'p_0000.nii.gz')] }], { output: out }),
    (e: unknown) => e instanceof ShapeError && /1 channel\(s\), the model expects 2/.test(e.message),
  );
  assert.throws(() => readdirSync(out), /ENOENT/, 'nothing written');
  const ok = await predictImages(run(p2), grouped, { output: out, tta: false });
  assert.deepEqual(readdirSync(out).sort(), ['p.nii.gz', 'q.nii.gz']);
  assert.equal(ok.length, 2);
});

test('unknown formats and missing files are one-line errors naming the file', () => {
  const dir = tempDir();
  const junk = join(dir, 'notes.xyz');
  writeFileSync(junk, 'not an image at all');
  assert.throws(
    () => groupInputs([junk], 1),
    (e: unknown) => e instanceof FileFormatError && e.message.includes('notes.xyz') && !e.message.includes('\n'),
  );
  assert.throws(
    () => groupInputs([join(dir, 'missing.nii.gz')], 1),
    (e: unknown) => e instanceof FileFormatError && /missing\.nii\.gz/.test(e.message),
  );
});

test('a 2D plan on a volume predicts slice by slice (along k) and keeps the volume geometry', async () => {
  const dir = tempDir();
  const shape: [number, number, number] = [20, 18, 5];
  const data = new Float32Array(20 * 18 * 5);
  for (let v = 0; v < data.length; v++) data[v] = 1 + ((v * 37) % 101); // no zeros: nothing is cropped
  const input = join(dir, 'vol.nii.gz');
  await writeImage(createImage(data, shape, { spacing: [1, 1, 4], origin: [1, 2, 3] }), input);
  const p = plan({
    dimension: '2d',
    target_spacing: [1, 1],
    original_median_spacing: [1, 1],
    median_shape: [20, 18],
    patch_size: [16, 16],
    pools_per_axis: [2, 2],
  });
  const [c] = groupInputs([input], 1);
  const result = await predictCase(run(p, 50.5), c!, { tta: true });
  assert.deepEqual(result.labels.shape, shape);
  assert.deepEqual(result.labels.spacing, [1, 1, 4]);
  for (let v = 0; v < data.length; v++) assert.equal(result.labels.data[v], data[v]! > 50.5 ? 1 : 0);
});

test(
  'a DICOM series folder (real CT) predicts onto its own grid, written as NIfTI',
  skipUnlessData('dicom-samples', 'series', 'totalsegmentator-ct-20slices', 'dicom'),
  async () => {
    const folder = sharedData('dicom-samples', 'series', 'totalsegmentator-ct-20slices', 'dicom')!;
    const ct = await readImage(folder);
    const dir = tempDir();
    // HU > 0 → class 1, on a coarser grid (resampled there and back)
    const p = plan({
      target_spacing: [ct.spacing[0]! * 2, ct.spacing[1]! * 2, ct.spacing[2]!],
      patch_size: [64, 64, 8],
    });
    const written = await predictImages(run(p, 0), groupInputs([folder], 1), {
      output: join(dir, 'out'),
      format: 'nii.gz',
      tta: false,
    });
    assert.equal(written[0]!.labels, join(dir, 'out', 'dicom.nii.gz'));
    const labels = await readImage(written[0]!.labels);
    assert.deepEqual(labels.shape.slice(0, 3), ct.shape.slice(0, 3));
    for (let d = 0; d < 3; d++) {
      assert.ok(Math.abs(labels.spacing[d]! - ct.spacing[d]!) < 1e-4);
      assert.ok(Math.abs(labels.origin[d]! - ct.origin[d]!) < 1e-3);
    }
    labels.direction.forEach((v, n) => assert.ok(Math.abs(v - ct.direction[n]!) < 1e-5));
    let agree = 0;
    for (let v = 0; v < labels.data.length; v++) if (labels.data[v] === (ct.data[v]! > 0 ? 1 : 0)) agree++;
    assert.ok(agree / labels.data.length > 0.95, `agreement ${agree / labels.data.length}`);
  },
);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { type TransformRecord, defaultAugmentation, fromRecord } from '../../src/transforms/index.js';
import { augmentationSchema } from '../../src/train/config.js';
import { OptionError } from '../../src/util/errors.js';
import { Random } from '../../src/util/random.js';
import { values } from './helpers.js';

function subject3d() {
  ve.manualSeed(8);
  return { image: ve.randn([2, 30, 34, 38]), label: ve.randint(0, 3, [1, 30, 34, 38], { dtype: 'uint8' }) };
}
const everything = {
  rotation: { p: 1 },
  scaling: { p: 1 },
  elastic: { p: 1, alpha: [50, 100] as [number, number], sigma: [4, 5] as [number, number] },
  grid_distortion: { p: 1 },
  gaussian_noise: { p: 1 },
  gaussian_blur: { p: 1 },
  brightness: { p: 1 },
  contrast: { p: 1 },
  low_resolution: { p: 1 },
  gamma_inverted: { p: 1 },
  gamma: { p: 1 },
  mirror: { p: 1 },
  rot90: { p: 1 },
};

test('the same seed gives the same augmentation; another seed another one', () => {
  const s = subject3d();
  const aug = defaultAugmentation(3, everything, { patchSize: [24, 24, 20] });
  const a = aug.apply(s, new Random(42), [15, 17, 19]);
  const b = aug.apply(s, new Random(42), [15, 17, 19]);
  assert.deepEqual(a.transform.record(), b.transform.record());
  assert.deepEqual(values(a.subject.image), values(b.subject.image));
  assert.deepEqual(values(a.subject.label!), values(b.subject.label!));
  const c = aug.apply(s, new Random(43), [15, 17, 19]);
  assert.notDeepEqual(c.transform.record(), a.transform.record());
  assert.deepEqual(a.subject.image.shape, [2, 24, 24, 20]);
});

test('replaying a recorded augmentation (through JSON) gives identical output', () => {
  const s = subject3d();
  const aug = defaultAugmentation(3, everything, { patchSize: [20, 22, 22] });
  const { subject, transform } = aug.apply(s, new Random(7), [12, 16, 20]);
  const record = JSON.parse(JSON.stringify(transform.record())) as TransformRecord;
  const names = (record.params.transforms as TransformRecord[]).map((t) => t.name);
  assert.deepEqual(names, [
    'Spatial',
    'GaussianNoise',
    'GaussianBlur',
    'Brightness',
    'Contrast',
    'LowResolution',
    'Gamma',
    'Gamma',
    'Rot90',
    'Flip',
  ]);
  const replayed = fromRecord(record).apply(s);
  assert.deepEqual(values(replayed.image), values(subject.image));
  assert.deepEqual(values(replayed.label!), values(subject.label!));
  assert.throws(() => fromRecord({ name: 'Nope', params: {} }), /unknown transform 'Nope'/);
});

test("default probabilities are nnU-Net's (frequencies over many draws)", () => {
  const aug = defaultAugmentation(2, {}, { patchSize: [64, 64] });
  const counts = new Map<string, number>();
  let rotated = 0,
    scaled = 0;
  const draws = 4000;
  const rng = new Random(1);
  for (let i = 0; i < draws; i++) {
    const t = aug.sample(rng, { spatialShape: [100, 100], channels: 1 });
    for (const r of t.record().params.transforms as TransformRecord[]) {
      const key = r.name === 'Gamma' && r.params.invert ? 'GammaInverted' : r.name;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (r.name === 'Spatial') {
        if (r.params.angles) rotated++;
        if (r.params.scales) scaled++;
      }
    }
  }
  // blur and low resolution: p × 0.5 per channel (one channel here); flip: 1 − 0.5² for two axes
  const expected: Record<string, number> = {
    GaussianNoise: 0.1,
    GaussianBlur: 0.1,
    Brightness: 0.15,
    Contrast: 0.15,
    LowResolution: 0.125,
    GammaInverted: 0.1,
    Gamma: 0.3,
    Flip: 0.75,
  };
  const check = (name: string, seen: number, p: number) => {
    const tol = 4.5 * Math.sqrt((p * (1 - p)) / draws);
    assert.ok(Math.abs(seen / draws - p) < tol, `${name}: ${seen / draws} vs ${p}`);
  };
  for (const [name, p] of Object.entries(expected)) check(name, counts.get(name) ?? 0, p);
  check('rotation', rotated, 0.2);
  check('scaling', scaled, 0.2);
  assert.equal(counts.get('Rot90'), undefined);
});

test('config: names, probabilities and ranges from a plain object; readable errors for bad ones', () => {
  const only = defaultAugmentation(2, {
    enabled: true,
    brightness: { p: 1, range: [2, 2] },
    mirror: { p: 0 },
    rotation: { p: 0 },
    scaling: { p: 0 },
    gaussian_noise: { p: 0 },
    gaussian_blur: { p: 0 },
    contrast: { p: 0 },
    low_resolution: { p: 0 },
    gamma: { p: 0 },
    gamma_inverted: { p: 0 },
  });
  const x = ve.Tensor.from([1, 2, 3, 4], [1, 2, 2]);
  const out = only.apply({ image: x }, new Random(3));
  assert.deepEqual(values(out.subject.image), [2, 4, 6, 8]);
  const off = defaultAugmentation(3, { enabled: false });
  const t = off.sample(new Random(1), { spatialShape: [4, 4, 4], channels: 1 });
  assert.equal(t.transforms.length, 1);
  const bad: Array<[object, RegExp]> = [
    [{ brightnes: { p: 1 } }, /augmentation\.brightnes: unknown augmentation/],
    [{ brightness: { q: 1 } }, /augmentation\.brightness\.q: unknown key/],
    [{ gamma: { p: 2 } }, /augmentation\.gamma\.p: must be a probability/],
    [{ scaling: { range: [1.4, 0.7] } }, /augmentation\.scaling\.range: low 1\.4 is above high 0\.7/],
    [{ low_resolution: { zoom: [0, 1] } }, /augmentation\.low_resolution\.zoom: must lie in \(0, 1\]/],
    [{ mirror: { axes: [3] } }, /augmentation\.mirror\.axes/],
    [{ grid_distortion: { num_steps: 0 } }, /num_steps: must be a positive integer/],
  ];
  for (const [config, message] of bad)
    assert.throws(
      () => defaultAugmentation(3, config as never),
      (e: unknown) => e instanceof OptionError && message.test((e as Error).message),
    );
  assert.throws(() => defaultAugmentation(2, {}, { patchSize: [4, 4, 4] }), OptionError);
});

test('rotation default follows nnU-Net: 2D ±180° (±15° for elongated patches), 3D ±30°', () => {
  const angles = (aug: ReturnType<typeof defaultAugmentation>, shape: number[]) => {
    const rng = new Random(5);
    const all: number[] = [];
    for (let i = 0; i < 300; i++) {
      const rec = aug.sample(rng, { spatialShape: shape, channels: 1 }).record().params.transforms as TransformRecord[];
      all.push(...((rec[0]!.params.angles as number[] | undefined) ?? []));
    }
    return Math.max(...all.map(Math.abs)) * (180 / Math.PI);
  };
  const max2d = angles(defaultAugmentation(2, { rotation: { p: 1 } }, { patchSize: [64, 64] }), [64, 64]);
  assert.ok(max2d > 150 && max2d <= 180, `2D max ${max2d}`);
  const thin = angles(defaultAugmentation(2, { rotation: { p: 1 } }, { patchSize: [32, 128] }), [32, 128]);
  assert.ok(thin > 12 && thin <= 15, `elongated max ${thin}`);
  const max3d = angles(defaultAugmentation(3, { rotation: { p: 1 } }, { patchSize: [32, 32, 32] }), [32, 32, 32]);
  assert.ok(max3d > 25 && max3d <= 30, `3D max ${max3d}`);
});

test('a batch is augmented sample by sample, as successive apply calls with the same generator', () => {
  ve.manualSeed(3);
  const image = ve.randn([3, 1, 20, 24]);
  const label = ve.randint(0, 2, [3, 1, 20, 24], { dtype: 'uint8' });
  const aug = defaultAugmentation(2, { rotation: { p: 0.7 }, gaussian_noise: { p: 0.5 } }, { patchSize: [16, 16] });
  const batch = aug.applyBatch({ image, label }, new Random(11));
  assert.deepEqual(batch.subject.image.shape, [3, 1, 16, 16]);
  assert.deepEqual(batch.subject.label!.shape, [3, 1, 16, 16]);
  const rng = new Random(11);
  for (let i = 0; i < 3; i++) {
    const one = aug.apply({ image: ve.select(image, 0, i), label: ve.select(label, 0, i) }, rng);
    assert.deepEqual(values(ve.select(batch.subject.image, 0, i)), values(one.subject.image));
    assert.deepEqual(values(ve.select(batch.subject.label!, 0, i)), values(one.subject.label!));
    assert.deepEqual(batch.transforms[i]!.record(), one.transform.record());
  }
});

test("the training config's augmentation section (defaults filled in by its schema) is accepted as is", () => {
  const parsed = augmentationSchema.parse({ gamma: { p: 0.5 } });
  const fromConfig = defaultAugmentation(3, parsed, { patchSize: [32, 32, 32] });
  const explicit = defaultAugmentation(3, { gamma: { p: 0.5 } }, { patchSize: [32, 32, 32] });
  const a = new Random(4),
    b = new Random(4);
  for (let i = 0; i < 200; i++) {
    const ctx = { spatialShape: [40, 40, 40], channels: 2 };
    assert.deepEqual(fromConfig.sample(a, ctx).record(), explicit.sample(b, ctx).record());
  }
});

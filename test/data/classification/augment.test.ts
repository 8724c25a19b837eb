import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../../src/engine/index.js';
import { ClassificationAugmentation } from '../../../src/data/classification/augment.js';
import { classificationAugmentationSchema } from '../../../src/train/classification/config.js';
import { Random } from '../../../src/util/random.js';

const photo = () => {
  const rng = new Random(2);
  return Float32Array.from({ length: 3 * 16 * 16 }, () => rng.next());
};

function run(config: unknown, seed: number, data = photo()): Float32Array {
  const aug = new ClassificationAugmentation([16, 16], classificationAugmentationSchema.parse(config));
  return ve.tidy(() => aug.apply(ve.Tensor.from(data, [3, 16, 16]), new Random(seed)).toArray() as Float32Array);
}

test('colour jitter and shear in the classification augmentation: deterministic from the seed, off unless configured', () => {
  const jitter = { color_jitter: { p: 1, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 } };
  const a = run(jitter, 9);
  assert.deepEqual(a, run(jitter, 9));
  assert.notDeepEqual(a, run(jitter, 10));
  assert.notDeepEqual(a, photo());
  assert.ok(a.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(run({ ...jitter, enabled: false }, 9), photo());
  assert.equal(new ClassificationAugmentation([16, 16], classificationAugmentationSchema.parse({})).active, false);
  const sheared = { affine: { p: 1, rotation_deg: [0, 0], scale: [1, 1], translate: [0, 0], shear_deg: [20, 20] } };
  const s = run(sheared, 3);
  assert.deepEqual(s, run(sheared, 4), 'a fixed shear angle gives the same image from any seed');
  assert.notDeepEqual(s, photo());
  // a configuration without shear or jitter draws exactly as before those options existed
  const plain = { flip: { p: 0.5 }, brightness: { p: 0.5 } };
  const withOffJitter = { ...plain, color_jitter: { p: 0, brightness: 0.5 } };
  assert.deepEqual(run(plain, 5), run(withOffJitter, 5));
});

test('colour jitter and shear ranges out of range are config errors naming the key', () => {
  const bad = [
    [{ color_jitter: { hue: 0.7 } }, 'hue'],
    [{ color_jitter: { brightness: -1 } }, 'brightness'],
    [{ color_jitter: { saturation: [-0.5, 1] } }, 'saturation'],
    [{ affine: { shear_deg: [10, -10] } }, 'shear_deg'],
  ] as const;
  for (const [config, key] of bad) {
    const r = classificationAugmentationSchema.safeParse(config);
    assert.ok(!r.success, key);
    assert.ok(
      r.error.issues.some((i) => i.path.includes(key)),
      `${key}: ${JSON.stringify(r.error.issues)}`,
    );
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  ColorJitter,
  JITTER_ADJUSTMENTS,
  RandomColorJitter,
  adjustColor,
  jitterRange,
} from '../../src/transforms/intensity/color-jitter.js';
import { fromRecord } from '../../src/transforms/replay.js';
import { Random } from '../../src/util/random.js';
import { runPythonJson } from '../helpers/python-json.js';
import { python, referenceTest } from '../helpers/reference.js';

function image(channels: number, n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  // include greys (equal channels) and pure primaries, where the HSV branches change
  return Float32Array.from({ length: channels * n }, (_, i) => (i % 17 === 0 ? 0.5 : i % 23 === 0 ? 1 : rng.next()));
}

test('colour jitter by hand: brightness scales and clamps, contrast blends with the mean grey, hue turns red to green', () => {
  const x = Float32Array.from([0.2, 0.8]);
  adjustColor(x, 1, 'brightness', 1.5);
  assert.deepEqual([...x], [Math.fround(0.3), 1]);
  const y = Float32Array.from([0.2, 0.6]);
  adjustColor(y, 1, 'contrast', 0.5); // mean 0.4: 0.5·0.2 + 0.5·0.4, 0.5·0.6 + 0.5·0.4
  assert.deepEqual([...y], [Math.fround(0.3), Math.fround(0.5)]);
  const red = Float32Array.from([1, 0, 0]);
  adjustColor(red, 3, 'hue', 1 / 3);
  assert.ok(
    [0, 1, 0].every((v, i) => Math.abs(red[i]! - v) < 1e-6),
    `red turned by 120° gives ${red}`,
  );
  const one = Float32Array.from([0.1, 0.9]);
  adjustColor(one, 1, 'saturation', 0);
  adjustColor(one, 1, 'hue', 0.3);
  assert.deepEqual([...one], [Math.fround(0.1), Math.fround(0.9)]);
  assert.deepEqual(jitterRange('brightness', 0.4), [0.6, 1.4]);
  assert.deepEqual(jitterRange('contrast', 2), [0, 3]);
  assert.deepEqual(jitterRange('hue', 0.1), [-0.1, 0.1]);
  assert.equal(jitterRange('saturation', 0), null);
});

test('colour jitter is deterministic from the seed and replays from its record', () => {
  const sampler = new RandomColorJitter(1, {
    brightness: [0.5, 1.5],
    contrast: [0.5, 1.5],
    saturation: [0, 2],
    hue: [-0.2, 0.2],
  });
  const ctx = { spatialShape: [4, 5], channels: 3 };
  const a = sampler.sample(new Random(7), ctx)!;
  const b = sampler.sample(new Random(7), ctx)!;
  assert.deepEqual(a.record(), b.record());
  assert.notDeepEqual(a.record(), sampler.sample(new Random(8), ctx)!.record());
  ve.tidy(() => {
    const img = ve.Tensor.from(image(3, 20, 1), [3, 4, 5]);
    const out = a.apply({ image: img }).image.toArray();
    assert.deepEqual(fromRecord(a.record()).apply({ image: img }).image.toArray(), out);
    assert.throws(() => a.apply({ image: ve.zeros([2, 4, 5]) }), /color jitter needs 1 or 3 channels, the image has 2/);
  });
  assert.equal(
    new RandomColorJitter(0, { brightness: [0.5, 1.5], contrast: null, saturation: null, hue: null }).sample(
      new Random(1),
      ctx,
    ),
    null,
  );
});

referenceTest(
  "each adjustment and their composition equal torchvision's adjust_* (RGB and grey)",
  python('torch', 'torchvision'),
  () => {
    const n = 12 * 9;
    const rgb = image(3, n, 2);
    const grey = image(1, n, 3);
    const factors = { brightness: 1.3, contrast: 0.6, saturation: 1.7, hue: -0.27 };
    const order = [2, 0, 3, 1];
    const expected = runPythonJson<Record<string, number[]>>(
      `
import torch
import torchvision.transforms.functional as F
out = {}
f = data['factors']
for name, flat, c in (('rgb', data['rgb'], 3), ('grey', data['grey'], 1)):
    img = torch.tensor(flat, dtype=torch.float32).reshape(c, 12, 9)
    for k in ('brightness', 'contrast', 'saturation', 'hue'):
        out[f'{name}_{k}'] = getattr(F, f'adjust_{k}')(img, f[k]).flatten().tolist()
    x = img
    for i in data['order']:
        k = ('brightness', 'contrast', 'saturation', 'hue')[i]
        x = getattr(F, f'adjust_{k}')(x, f[k])
    out[f'{name}_composed'] = x.flatten().tolist()
print(json.dumps(out))`,
      { rgb: Array.from(rgb), grey: Array.from(grey), factors, order },
    );
    const report: string[] = [];
    for (const [name, data, c] of [
      ['rgb', rgb, 3],
      ['grey', grey, 1],
    ] as const) {
      for (const k of [...JITTER_ADJUSTMENTS, 'composed'] as const) {
        let got: Float32Array;
        if (k === 'composed') {
          got = ve.tidy(() => {
            const t = new ColorJitter({ ...factors, order }).apply({ image: ve.Tensor.from(data, [c, 12, 9]) });
            return t.image.toArray() as Float32Array;
          });
        } else {
          got = Float32Array.from(data);
          adjustColor(got, c, k, factors[k]);
        }
        const want = expected[`${name}_${k}`]!;
        let worst = 0;
        got.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - want[i]!));
        });
        report.push(`${name} ${k} ${worst.toExponential(1)}`);
        assert.ok(worst < 1e-5, `${name} ${k}: max |Δ| ${worst}`);
      }
    }
    console.log(`colour jitter vs torchvision, max |Δ|: ${report.join(', ')}`);
  },
);

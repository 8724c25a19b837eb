import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  Brightness,
  Contrast,
  Gamma,
  GaussianBlur,
  GaussianNoise,
  LowResolution,
  gaussianKernel1d,
} from '../../src/transforms/index.js';
import { assertClose, values } from './helpers.js';

const channels = (rows: number[][], spatial: number[]) => ve.Tensor.from(rows.flat(), [rows.length, ...spatial]);

test('brightness multiplies the chosen channels', () => {
  const x = channels(
    [
      [1, -2, 3, 4],
      [5, 6, 7, 8],
    ],
    [2, 2],
  );
  const label = ve.ones([1, 2, 2], { dtype: 'uint8' });
  const out = new Brightness([1.5, null]).apply({ image: x, label });
  assert.deepEqual(values(out.image), [1.5, -3, 4.5, 6, 5, 6, 7, 8]);
  assert.equal(out.label, label);
});

test('contrast: (x − mean)·f + mean, clipped to the original range', () => {
  const a = [0, 1, 2, 5];
  const mean = 2;
  const f = 1.5;
  const expected = a.map((v) => Math.min(5, Math.max(0, (v - mean) * f + mean)));
  assert.deepEqual(expected, [0, 0.5, 2, 5]); // the hand formula, clipping at both ends
  const out = new Contrast([f, 0.5]).apply({ image: channels([a, a], [4]) });
  assertClose(values(out.image), [...expected, ...a.map((v) => (v - mean) * 0.5 + mean)], 1e-6);
  const free = new Contrast([f], false).apply({ image: channels([a], [4]) });
  assertClose(
    values(free.image),
    a.map((v) => (v - mean) * f + mean),
    1e-6,
  );
});

function gammaByHand(a: number[], g: number, invert: boolean, retain: boolean): number[] {
  const x = invert ? a.map((v) => -v) : a;
  const mean = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
  const std = (v: number[]) => Math.sqrt(v.reduce((s, y) => s + (y - mean(v)) ** 2, 0) / (v.length - 1));
  const min = Math.min(...x),
    range = Math.max(...x) - min;
  let y = x.map((v) => ((v - min) / range) ** g * range + min);
  if (retain) {
    const m = mean(y),
      s = std(y);
    y = y.map((v) => ((v - m) * std(x)) / s + mean(x));
  }
  return invert ? y.map((v) => -v) : y;
}

test('gamma and inverted gamma against the hand formula, with and without retained statistics', () => {
  const a = [-1, 0.5, 2, 3.5, 4, 7];
  for (const g of [0.7, 1.5]) {
    for (const invert of [false, true]) {
      for (const retain of [false, true]) {
        const out = new Gamma([g], invert, retain).apply({ image: channels([a], [2, 3]) });
        assertClose(
          values(out.image),
          gammaByHand(a, g, invert, retain),
          1e-5,
          `γ=${g} invert=${invert} retain=${retain}`,
        );
      }
    }
  }
  // retained statistics: mean and std unchanged
  const out = new Gamma([1.4], false, true).apply({ image: channels([a], [6]) });
  assertClose(
    [out.image.mean().item(), out.image.std().item()],
    [ve.Tensor.from(a).mean().item(), ve.Tensor.from(a).std().item()],
    1e-5,
  );
});

test('Gaussian noise: zero mean, the drawn variance, independent per channel, reproducible from its seed', () => {
  const zeros = ve.zeros([2, 200, 200]);
  const variance = 0.09;
  const out = new GaussianNoise(7, variance).apply({ image: zeros }).image;
  const n = 40_000;
  const [c0, c1] = ve.split(out, 1, 0);
  for (const c of [c0!, c1!]) {
    // mean within 4 standard errors, variance within 4 standard errors (√(2/n)·σ²)
    assert.ok(Math.abs(c.mean().item()) < 4 * Math.sqrt(variance / n), `mean ${c.mean().item()}`);
    assert.ok(Math.abs(c.var().item() - variance) < 4 * Math.sqrt(2 / n) * variance, `variance ${c.var().item()}`);
  }
  const corr = c0!.mul(c1!).mean().item() / variance;
  assert.ok(Math.abs(corr) < 4 / Math.sqrt(n), `channel correlation ${corr}`);
  // fraction beyond 2σ ≈ 4.55 %
  const beyond = out
    .abs()
    .gt(2 * Math.sqrt(variance))
    .to({ dtype: 'float32' })
    .mean()
    .item();
  assert.ok(Math.abs(beyond - 0.0455) < 0.004, `tail fraction ${beyond}`);
  assert.deepEqual(values(new GaussianNoise(7, variance).apply({ image: zeros }).image), values(out));
  assert.notDeepEqual(
    values(new GaussianNoise(8, variance).apply({ image: zeros }).image).slice(0, 10),
    values(out).slice(0, 10),
  );
});

test('blurring a delta gives the normalised Gaussian kernel (2D, per-axis σ, and 3D)', () => {
  const sigmas = [0.8, 0.55];
  const delta = ve.zeros([1, 15, 15]);
  const d = delta.clone();
  d.copy_(
    ve
      .where(
        ve
          .arange(225)
          .reshape([1, 15, 15])
          .eq(7 * 15 + 7),
        1,
        0,
      )
      .to({ dtype: 'float32' }),
  );
  const out = new GaussianBlur([sigmas]).apply({ image: d }).image;
  const g = (s: number, i: number) => Math.exp(-(i * i) / (2 * s * s));
  const r0 = Math.floor(4 * sigmas[0]! + 0.5),
    r1 = Math.floor(4 * sigmas[1]! + 0.5);
  let z0 = 0,
    z1 = 0;
  for (let i = -r0; i <= r0; i++) z0 += g(sigmas[0]!, i);
  for (let i = -r1; i <= r1; i++) z1 += g(sigmas[1]!, i);
  const expected: number[] = [];
  for (let y = 0; y < 15; y++) {
    for (let x = 0; x < 15; x++) {
      const dy = y - 7,
        dx = x - 7;
      expected.push(Math.abs(dy) <= r0 && Math.abs(dx) <= r1 ? (g(sigmas[0]!, dy) / z0) * (g(sigmas[1]!, dx) / z1) : 0);
    }
  }
  assertClose(values(out), expected, 1e-7, '2D kernel');
  assertClose([out.sum().item()], [1], 1e-6, 'sum');
  // 3D, and the kernel helper itself
  const k = gaussianKernel1d(1, 4);
  assert.equal(k.length, 9);
  assertClose([k.reduce((s, v) => s + v, 0)], [1], 1e-6);
  const d3 = ve.zeros([1, 11, 11, 11]);
  d3.copy_(ve.where(ve.arange(1331).reshape([1, 11, 11, 11]).eq(665), 1, 0).to({ dtype: 'float32' }));
  const out3 = new GaussianBlur([[1, 1, 1]]).apply({ image: d3 }).image;
  const centreLine = values(ve.select(ve.select(ve.select(out3, 0, 0), 0, 5), 0, 5));
  assertClose(
    centreLine.slice(1, 10),
    Array.from(k, (v) => v * k[4]! * k[4]!),
    1e-7,
    '3D centre line',
  );
  // an unselected channel is untouched
  const two = ve.cat([d, d], 0);
  assert.deepEqual(
    values(ve.select(new GaussianBlur([null, sigmas]).apply({ image: two }).image, 0, 0)),
    values(ve.select(d, 0, 0)),
  );
});

test('low-resolution simulation: constant images stay constant, zoom 1 is the identity, detail is lost', () => {
  const c = ve.full([1, 16, 16], 3);
  assertClose(values(new LowResolution([0.5]).apply({ image: c }).image), Array(256).fill(3), 1e-5);
  ve.manualSeed(3);
  const x = ve.randn([1, 12, 12, 12]);
  assertClose(values(new LowResolution([1]).apply({ image: x }).image), values(x), 1e-5, 'zoom 1');
  const low = new LowResolution([0.5]).apply({ image: x }).image;
  assert.deepEqual(low.shape, [1, 12, 12, 12]);
  // a 6³ nearest-neighbour version upsampled again: much less variance than white noise
  assert.ok(low.var().item() < 0.7 * x.var().item());
  // a checkerboard of period 2 becomes flat after halving with nearest neighbour
  const board = ve.Tensor.from(
    Array.from({ length: 64 }, (_, i) => ((i % 8) + Math.floor(i / 8)) % 2),
    [1, 8, 8],
  );
  const flat = values(new LowResolution([0.5]).apply({ image: board }).image);
  assert.ok(Math.max(...flat) - Math.min(...flat) < 1e-5, 'aliased to a constant');
});

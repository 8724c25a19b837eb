import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeChannel, normalizeChannels, schemeForChannel } from '../../src/data/normalize.js';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((x, i) => assert.ok(Math.abs(a[i]! - x) < tol, `[${i}] ${a[i]} vs ${x}`));

test('per-case z-score: population std, mean 0 / std 1', () => {
  // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population std 2
  const out = normalizeChannel(Int16Array.from([2, 4, 4, 4, 5, 5, 7, 9]), 'zscore');
  close(out, [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
  assert.ok(out instanceof Float32Array);
});

test('z-score inside a mask: statistics from the mask, zero outside', () => {
  const out = normalizeChannel([100, 1, 3, 100], 'zscore', { mask: [0, 1, 1, 0] });
  close(out, [0, -1, 1, 0]);
});

test('CT: clip to the foreground percentiles, then global z-score', () => {
  const stats = { mean: 50, std: 10, percentile_00_5: -100, percentile_99_5: 200 };
  close(normalizeChannel([-1000, 50, 60, 3000], 'ct', { stats }), [-15, 0, 1, 15]);
  assert.throws(() => normalizeChannel([1], 'ct'), /foreground statistics/);
});

test('rgb /255 and rescale to [0, 1]', () => {
  close(normalizeChannel(Uint8Array.from([0, 51, 255]), 'rgb_to_0_1'), [0, 0.2, 1]);
  assert.throws(() => normalizeChannel([300], 'rgb_to_0_1', { what: 'img.png' }), /img\.png.*\[0, 255\]/);
  close(normalizeChannel([10, 15, 30], 'rescale_to_0_1'), [0, 0.25, 1]);
  close(normalizeChannel([-3.5, 2], 'none'), [-3.5, 2]);
});

test('a constant image does not divide by zero', () => {
  close(normalizeChannel([7, 7, 7], 'zscore'), [0, 0, 0]);
});

test('channel names map to schemes like nnU-Net', () => {
  assert.equal(schemeForChannel('CT'), 'ct');
  assert.equal(schemeForChannel('T2'), 'zscore');
  assert.equal(schemeForChannel('noNorm'), 'none');
  assert.equal(schemeForChannel('rgb_to_0_1'), 'rgb_to_0_1');
});

test('multi-channel: one scheme per channel', () => {
  const data = Float32Array.from([1, 3, 0, 255]);
  close(normalizeChannels(data, 2, ['zscore', 'rgb_to_0_1']), [-1, 1, 0, 1]);
  assert.throws(() => normalizeChannels(data, 2, ['zscore']), /1 schemes for 2 channels/);
});

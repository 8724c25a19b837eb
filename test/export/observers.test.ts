import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestRange, HISTOGRAM_BINS, quantizationError } from '../../src/export/observers.js';

function histogram(values: number[], min: number, max: number): Float64Array {
  const h = new Float64Array(HISTOGRAM_BINS);
  for (const v of values) h[Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - min) / (max - min)) * HISTOGRAM_BINS))]!++;
  return h;
}

test('the histogram observer clips a long tail where that lowers the error, and keeps a uniform range', () => {
  // exponential (scale 1) at evenly spaced quantiles: a long right tail up to ln(n) ≈ 13
  const n = 400_000;
  const values = Array.from({ length: n }, (_, i) => -Math.log(1 - (i + 0.5) / n));
  const range = { min: 0, max: values.reduce((a, b) => Math.max(a, b), 0) };
  const h = histogram(values, range.min, range.max);
  const best = bestRange(h, range);
  assert.ok(best.max < 0.9 * range.max, `clipped at ${best.max} of ${range.max}`);
  assert.ok(quantizationError(h, range, best.min, best.max) < quantizationError(h, range, range.min, range.max));
  const uniform = histogram(
    Array.from({ length: 50_000 }, (_, i) => -1 + (2 * i) / 50_000),
    -1,
    1,
  );
  const kept = bestRange(uniform, { min: -1, max: 1 });
  assert.ok(kept.min < -0.99 && kept.max > 0.99, JSON.stringify(kept));
});

test('quantization error: Δ²/12 per value inside, squared distance outside', () => {
  const h = new Float64Array(HISTOGRAM_BINS);
  h[0] = 10; // centre at 0.5 · (1/2048) of [0, 1]
  h[HISTOGRAM_BINS - 1] = 1; // centre near 1
  const range = { min: 0, max: 1 };
  const step = 1 / 255;
  assert.ok(Math.abs(quantizationError(h, range, 0, 1) - (11 * step * step) / 12) < 1e-12);
  const centre = 1 - 0.5 / HISTOGRAM_BINS;
  const clipped = quantizationError(h, range, 0, 0.5);
  assert.ok(Math.abs(clipped - ((10 * (0.5 / 255) ** 2) / 12 + (centre - 0.5) ** 2)) < 1e-12);
});

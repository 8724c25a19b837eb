import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros } from '../../../src/engine/creation.js';
import {
  calculateFans,
  calculateGain,
  kaimingNormal_,
  kaimingUniform_,
  truncNormal_,
  xavierUniform_,
} from '../../../src/engine/nn/init.js';
import { manualSeed } from '../../../src/engine/random.js';
import type { Tensor } from '../../../src/engine/tensor.js';

function stats(t: Tensor) {
  const v = t.toArray() as Float32Array;
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (const x of v) {
    sum += x;
    sq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  return { mean, std: Math.sqrt(sq / v.length - mean * mean), min, max };
}

test('gains and fans follow torch.nn.init', () => {
  assert.equal(calculateGain('relu'), Math.SQRT2);
  assert.equal(calculateGain('tanh'), 5 / 3);
  assert.equal(calculateGain('leaky_relu', Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.deepEqual(calculateFans([16, 8, 3, 3]), { fanIn: 72, fanOut: 144 });
  assert.deepEqual(calculateFans([10, 4]), { fanIn: 4, fanOut: 10 });
  assert.throws(() => calculateFans([5]), /at least 2/);
});

test('initialisers have the published bounds and spreads', () => {
  manualSeed(0);
  const w = zeros([256, 64, 3, 3]); // fan_in 576, fan_out 2304
  kaimingUniform_(w, { nonlinearity: 'relu' });
  let s = stats(w);
  const bound = Math.SQRT2 * Math.sqrt(3 / 576);
  assert.ok(s.max <= bound && s.max > 0.99 * bound && s.min >= -bound);
  assert.ok(Math.abs(s.std - bound / Math.sqrt(3)) < 0.01 * bound);
  kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' });
  s = stats(w);
  assert.ok(Math.abs(s.std - Math.SQRT2 / Math.sqrt(2304)) < 0.01 * s.std);
  xavierUniform_(w);
  s = stats(w);
  const a = Math.sqrt(6 / (576 + 2304));
  assert.ok(s.max <= a && s.max > 0.99 * a);
  truncNormal_(w, 0, 1, -2, 2);
  s = stats(w);
  assert.ok(s.min >= -2 && s.max <= 2 && s.max > 1.99);
  // Variance of N(0,1) truncated to [−2, 2]: 1 − 2·2φ(2)/(Φ(2) − Φ(−2)) = 0.7737…
  const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
  assert.ok(Math.abs(s.std - Math.sqrt(1 - (4 * phi2) / 0.9544997361036416)) < 0.01, `std ${s.std}`);
  assert.ok(Math.abs(s.mean) < 0.01);
  const shifted = zeros([20000]);
  truncNormal_(shifted, 5, 2, 4, 100); // one-sided: mean 5 + 2·φ(−0.5)/(1 − Φ(−0.5)) = 6.0184…
  const t = stats(shifted);
  assert.ok(t.min >= 4 && Math.abs(t.mean - 6.0184) < 0.03, `mean ${t.mean}`);
  w.dispose();
  shifted.dispose();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/util/random.js';

test('the same seed gives the same sequence, another seed another', () => {
  const a = new Random(42),
    b = new Random(42),
    c = new Random(43);
  const sa = Array.from({ length: 8 }, () => a.nextUint32());
  const sb = Array.from({ length: 8 }, () => b.nextUint32());
  const sc = Array.from({ length: 8 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('uniform draws have the moments of U(0,1) and normals of N(0,1)', () => {
  const r = new Random(7);
  const n = 100_000;
  let s = 0,
    s2 = 0,
    g = 0,
    g2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
    const z = r.normal();
    g += z;
    g2 += z * z;
  }
  // Standard errors: mean of U is 1/2 ± 0.0009, var 1/12; normal mean 0 ± 0.003, var 1 ± 0.0045.
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12) < 0.003);
  assert.ok(Math.abs(g / n) < 0.015);
  assert.ok(Math.abs(g2 / n - 1) < 0.025);
});

test('shuffle is a permutation', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = new Random(1).shuffle(items);
  assert.deepEqual(
    [...out].sort((x, y) => x - y),
    items,
  );
  assert.notDeepEqual(out, items);
});

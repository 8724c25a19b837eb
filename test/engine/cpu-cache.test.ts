import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { firstMessage } from '../helpers/worker.js';

const MiB = 2 ** 20;
const skip = process.env.VESALIUS_CPU_CACHE === '0' ? "VESALIUS_CPU_CACHE=0: libtorch's own allocator" : false;
const cache = () => {
  const c = ve.memoryStats().cpuCache;
  assert.ok(c, 'the caching CPU allocator is installed unless VESALIUS_CPU_CACHE=0');
  return c;
};
// Resident set from the kernel's own accounting (pages actually backed by memory).
const rss = () => Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
// The bound the allocator promises: mapped = in use + cached ≤ peak in use + max(peak / 16, 64 MiB).
const bound = (c: ve.CpuCacheStats) => c.peakInUseBytes + Math.max(c.peakInUseBytes / 16, 64 * MiB);

test('a disposed large tensor goes to the cache and the next tensor of that size reuses it', { skip }, () => {
  const c0 = cache();
  const a = ve.full([16, 1024, 1024], 7); // 64 MiB
  const c1 = cache();
  assert.ok(c1.inUseBytes - c0.inUseBytes >= 64 * MiB, `in use grew by ${(c1.inUseBytes - c0.inUseBytes) / MiB} MiB`);
  a.dispose();
  const c2 = cache();
  assert.equal(c2.inUseBytes, c0.inUseBytes);
  assert.ok(c2.cachedBytes - c1.cachedBytes >= 64 * MiB, 'the block is kept, not unmapped');
  // the same size again: served from the cache, and zeros() really zeroes the reused (dirty) block
  const b = ve.zeros([16, 1024, 1024]);
  const c3 = cache();
  assert.equal(c3.hits, c2.hits + 1);
  assert.equal(c3.misses, c2.misses);
  assert.equal(c3.cachedBytes, c1.cachedBytes);
  assert.equal(
    ve.tidy(() => b.abs().sum().item()),
    0,
  );
  b.dispose();
});

test('emptyCache() gives cached blocks back to the operating system', { skip }, () => {
  const t = ve.ones([64, 1024, 1024]); // 256 MiB, every page touched
  t.dispose();
  const before = rss();
  const cached = cache().cachedBytes;
  assert.ok(cached >= 256 * MiB);
  const released = ve.emptyCache();
  assert.equal(released, cached);
  assert.equal(cache().cachedBytes, 0);
  const dropped = (before - rss()) / MiB;
  assert.ok(dropped >= 250, `resident memory dropped by ${dropped.toFixed(0)} MiB`);
});

test('mapped memory stays within the bound when every allocation has a new size', { skip }, () => {
  ve.emptyCache();
  const evictions0 = cache().evictions;
  let worst = 0;
  // 120 tensors of 4, 5, 6 ... 123 MiB, one alive at a time: without eviction the cache would hold ~7 GiB
  for (let i = 0; i < 120; i++) {
    const t = ve.ones([(4 + i) * 256 * 1024]);
    const c = cache();
    worst = Math.max(worst, (c.inUseBytes + c.cachedBytes) / bound(c));
    assert.ok(
      c.inUseBytes + c.cachedBytes <= bound(c),
      `step ${i}: ${(c.inUseBytes + c.cachedBytes) / MiB} MiB mapped, bound ${bound(c) / MiB} MiB`,
    );
    t.dispose();
  }
  assert.ok(cache().evictions > evictions0, 'old blocks were unmapped');
  assert.ok(worst > 0.5, `the bound is approached (${worst.toFixed(2)}), so the check is not vacuous`);
  ve.emptyCache();
});

test('a repeated training step is served from the cache after the first (no new mappings, no growth)', { skip }, () => {
  ve.manualSeed(1);
  const w1 = ve.randn([16, 1, 3, 3], { requiresGrad: true });
  const w2 = ve.randn([1, 16, 3, 3], { requiresGrad: true });
  const x = ve.randn([8, 1, 64, 64]);
  const step = () =>
    ve.tidy(() => {
      const l = ve.tidy(() =>
        ve
          .conv2d(ve.relu(ve.conv2d(x, w1, null, { padding: 1 })), w2, null, { padding: 1 })
          .square()
          .mean(),
      );
      l.backward();
      ve.noGrad(() => {
        w1.sub_(w1.grad!, 1e-3);
        w2.sub_(w2.grad!, 1e-3);
      });
      w1.zeroGrad();
      w2.zeroGrad();
    });
  for (let i = 0; i < 3; i++) step();
  const before = cache();
  for (let i = 0; i < 20; i++) step();
  const after = cache();
  assert.ok(after.hits - before.hits >= 20, `hits ${after.hits - before.hits}`);
  assert.equal(after.misses, before.misses, 'no new mappings once warm');
  assert.equal(after.inUseBytes + after.cachedBytes, before.inUseBytes + before.cachedBytes);
});

test('threads share the cache without handing one block to two tensors', { skip }, async () => {
  const run = (fill: number) =>
    firstMessage<{ wrong: number }>('./fixtures/cache-worker.ts', import.meta.url, { fill, rounds: 400 });
  const results = await Promise.all([run(1), run(1000), run(2000)]);
  assert.deepEqual(
    results.map((r) => r.wrong),
    [0, 0, 0],
  );
});

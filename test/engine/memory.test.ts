import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { collectGarbage } from '../helpers/gc.js';

test('tidy disposes what was created inside except the result; nested scopes hand results outward', () => {
  const base = ve.memoryStats().liveTensors;
  const kept = ve.ones([3]);
  const result = ve.tidy(() => {
    const a = ve.ones([3]).mul(2);
    const inner = ve.tidy(() => {
      const b = a.add(1);
      return { sum: b.sum(), parts: [b.mul(2)] };
    });
    kept.add_(a); // tensors from outside are untouched
    return inner.parts[0]!.add(inner.sum);
  });
  assert.deepEqual(result.toNumbers(), [15, 15, 15]); // (2+1)·2 + 9
  assert.deepEqual(kept.toNumbers(), [3, 3, 3]);
  assert.equal(ve.memoryStats().liveTensors, base + 2);
  assert.equal(ve.memoryStats().openScopes, 0);
});

test('tidy returns Maps and plain objects of tensors intact; keep() exempts; errors still clean up', () => {
  const base = ve.memoryStats().liveTensors;
  let saved: ve.Tensor | undefined;
  const out = ve.tidy(() => {
    saved = ve.keep(ve.zeros([2]));
    ve.ones([100]);
    return new Map([['w', ve.ones([2])]]);
  });
  assert.equal(out.get('w')!.isDisposed, false);
  assert.equal(saved!.isDisposed, false);
  assert.equal(ve.memoryStats().liveTensors, base + 2);
  assert.throws(
    () =>
      ve.tidy(() => {
        ve.ones([5]);
        throw new Error('fail inside');
      }),
    /fail inside/,
  );
  assert.equal(ve.memoryStats().liveTensors, base + 2);
  ve.dispose([out, saved]);
  assert.equal(ve.memoryStats().liveTensors, base);
  // gradients read inside a scope are scoped too
  const w = ve.ones([2], { requiresGrad: true });
  ve.tidy(() => w.mul(w).sum().backward());
  const g = ve.tidy(() => w.grad!.mul(1).sum().item());
  assert.equal(g, 4);
  assert.equal(ve.memoryStats().liveTensors, base + 1);
  w.dispose();
});

// Native bytes in use: glibc's heap plus the large blocks the caching CPU allocator has handed out.
function nativeInUse(): number | undefined {
  const s = ve.memoryStats();
  if (s.mallocInUse === undefined) return undefined;
  return s.mallocInUse + (s.cpuCache?.inUseBytes ?? 0);
}

test('dispose() returns the tensor memory to the allocator at once', (t) => {
  const before = nativeInUse();
  if (before === undefined) return t.skip('allocator statistics need glibc');
  const big = ve.zeros([16, 1024, 1024]); // 64 MiB
  const during = nativeInUse()!;
  big.dispose();
  const after = nativeInUse()!;
  assert.ok(during - before >= 60 * 2 ** 20, `allocated ${(during - before) / 2 ** 20} MiB`);
  assert.ok(during - after >= 60 * 2 ** 20, `freed ${(during - after) / 2 ** 20} MiB`);
});

test('`using` disposes a tensor at the end of its block', () => {
  const base = ve.memoryStats().liveTensors;
  let seen: ve.Tensor;
  {
    using t = ve.ones([4]);
    seen = t;
    assert.equal(ve.memoryStats().liveTensors, base + 1);
  }
  assert.equal(seen.isDisposed, true);
  assert.equal(ve.memoryStats().liveTensors, base);
});

test('tidy refuses async functions (a scope cannot follow an await)', async () => {
  assert.throws(() => ve.tidy((async () => ve.ones([1])) as never), /synchronous/);
});

test('the garbage collector frees tensors that were never disposed (finalizer backstop)', async () => {
  await collectGarbage();
  const before = ve.memoryStats().liveTensors;
  (() => {
    for (let i = 0; i < 1000; i++) ve.ones([100]);
  })();
  const made = ve.memoryStats().liveTensors - before;
  await collectGarbage(5);
  const after = ve.memoryStats().liveTensors - before;
  assert.equal(made, 1000);
  assert.ok(after < 10, `${after} tensors still alive after GC`);
});

test('forgotten tensors beyond the reporting slack create GC pressure: the collector frees them unprompted', async () => {
  const { spawnSync } = await import('node:child_process');
  const code = `
    const ve = await import(${JSON.stringify(new URL('../../src/engine/index.ts', import.meta.url).href)});
    let peak = 0;
    for (let i = 0; i < 400; i++) {
      ve.ones([1 << 18]); // 1 MiB each, never disposed
      if (i % 10 === 0) await new Promise((r) => setImmediate(r)); // let finalizers run
      peak = Math.max(peak, ve.memoryStats().liveTensors);
    }
    console.log(JSON.stringify({ peak }));`;
  const env = { ...process.env, VESALIUS_GC_SLACK_MB: '16' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env,
  });
  assert.equal(r.status, 0, r.stderr);
  const { peak } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(peak < 150, `${peak} of 400 forgotten 1 MiB tensors were alive at once`);
});

// The loop never yields to the event loop (the hardest case: Node-API would run finalizers of disposed
// handles only when it turns, but dispose() removes a handle's wrap so there is nothing left to finalize).
// RSS is compared after 1,000 warm-up steps: glibc's per-thread arenas (one per libtorch thread) grow by a
// few MiB over the first thousand steps and then stay put; the native heap in use is the strict leak check.
test('a synchronous 2,000-step training loop keeps resident memory, native heap and live tensors flat', (t) => {
  ve.manualSeed(0);
  // conv(1→4, 3×3) → relu → maxpool → linear(4·8·8 → 2), plain SGD through in-place updates
  const params = ve.tidy(() =>
    ve.noGrad(() => [ve.randn([4, 1, 3, 3]).mul(0.3), ve.zeros([4]), ve.randn([2, 256]).mul(0.05), ve.zeros([2])]),
  );
  for (const p of params) p.requiresGrad = true;
  const [cw, cb, lw, lb] = params as [ve.Tensor, ve.Tensor, ve.Tensor, ve.Tensor];
  const x = ve.randn([8, 1, 16, 16]);
  const y = ve.Tensor.from(new BigInt64Array([0, 1, 0, 1, 1, 0, 1, 0].map(BigInt)));
  const rss: number[] = [];
  const heap: number[] = [];
  const live: number[] = [];
  let first = 0,
    last = 0;
  for (let step = 1; step <= 2000; step++) {
    const loss = ve.tidy(() => {
      const h = ve.maxPool2d(ve.relu(ve.conv2d(x, cw, cb, { padding: 1 })), 2).flatten(1);
      const l = ve.crossEntropy(ve.linear(h, lw, lb), y);
      for (const p of params) p.zeroGrad();
      l.backward();
      ve.noGrad(() => {
        for (const p of params) p.sub_(p.grad!, 0.05);
      });
      return l.item();
    });
    if (step === 1) first = loss;
    last = loss;
    if (step === 1000 || step === 2000) {
      rss.push(process.memoryUsage.rss());
      heap.push(nativeInUse() ?? 0);
      live.push(ve.memoryStats().liveTensors);
    }
  }
  assert.ok(last < first, `loss ${first} → ${last}`);
  assert.ok(live[1]! <= live[0]!, `live tensors grew: ${live[0]} → ${live[1]}`);
  const growth = (rss[1]! - rss[0]!) / 2 ** 20;
  t.diagnostic(
    `RSS step 1000: ${(rss[0]! / 2 ** 20).toFixed(1)} MiB, step 2000: ${(rss[1]! / 2 ** 20).toFixed(1)} MiB; live tensors ${live[0]} → ${live[1]}`,
  );
  assert.ok(growth < 8, `RSS grew by ${growth.toFixed(1)} MiB between step 1000 and step 2000`);
  const heapGrowth = (heap[1]! - heap[0]!) / 2 ** 20;
  t.diagnostic(`native heap in use grew by ${(heapGrowth * 1024).toFixed(0)} KiB between step 1000 and step 2000`);
  // ~2 MiB per 1,000 steps when disposed handles still had finalizers pending
  assert.ok(
    heapGrowth < 0.5,
    `native heap in use grew by ${heapGrowth.toFixed(2)} MiB between step 1000 and step 2000`,
  );
});

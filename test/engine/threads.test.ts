import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { firstMessage, tsWorker } from '../helpers/worker.js';

test('intra-op threads default to the number of cores and can be changed', () => {
  if (process.env.VESALIUS_NUM_THREADS === undefined) assert.equal(ve.getNumThreads(), availableParallelism());
  const before = ve.getNumThreads();
  ve.setNumThreads(1);
  assert.equal(ve.getNumThreads(), 1);
  ve.setNumThreads(before);
  assert.equal(ve.getNumThreads(), before);
  assert.throws(() => ve.setNumThreads(0), RangeError);
  assert.match(ve.engineInfo().parallel, new RegExp(`at::get_num_threads\\(\\) : ${before}`));
});

test('the addon loads in worker threads (context-aware) and computes there', async () => {
  const values = [1, 2, 3];
  const run = () =>
    firstMessage<{ loss: number; grad: number[]; threads: number; live: number }>(
      './fixtures/engine-worker.ts',
      import.meta.url,
      { values },
    );
  const [a, b] = await Promise.all([run(), run()]);
  // conv with [1,1] gives pair sums 3, 5 → loss 9 + 25 = 34; d/dx: [2·3, 2·3+2·5, 2·5]
  for (const r of [a, b]) {
    assert.equal(r.loss, 34);
    assert.deepEqual(r.grad, [6, 16, 10]);
    assert.equal(r.threads, ve.getNumThreads());
  }
  // each context counts only its own tensors
  assert.equal(a.live, b.live);
  assert.equal(
    ve
      .add(ve.ones([2]), 1)
      .sum()
      .item(),
    4,
  ); // the main thread's addon still works
});

test('terminating a worker in the middle of native and async work does not take the process down', async () => {
  for (const delay of [20, 150, 300]) {
    const w = tsWorker('./fixtures/engine-loop-worker.ts', import.meta.url);
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, delay));
    await w.terminate();
  }
  assert.equal(ve.ones([3]).sum().item(), 3);
});

test('async backward and conv keep the event loop responsive and give the synchronous results', async () => {
  ve.manualSeed(3);
  const x = ve.randn([4, 8, 96, 96]);
  const w1 = ve.randn([16, 8, 3, 3], { requiresGrad: true });
  const w2 = ve.randn([16, 16, 3, 3], { requiresGrad: true });
  const forward = () =>
    ve
      .conv2d(ve.relu(ve.conv2d(x, w1, null, { padding: 1 })), w2, null, { padding: 1 })
      .square()
      .mean();

  const loss = forward();
  loss.backward();
  const syncGrad = w1.grad!.toNumbers();
  w1.zeroGrad();
  w2.zeroGrad();

  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  const loss2 = forward();
  await loss2.backwardAsync();
  const conv = await ve.convAsync(x, w1.detach(), null, { padding: 1 });
  clearInterval(timer);
  const elapsed = performance.now() - started;
  assert.ok(ticks >= 3, `timer fired ${ticks} times during ${elapsed.toFixed(0)} ms of async work`);
  assert.deepEqual(w1.grad!.toNumbers(), syncGrad);
  assert.deepEqual(conv.toNumbers(), ve.conv2d(x, w1.detach(), null, { padding: 1 }).toNumbers());
  // errors from the thread pool reject with EngineError
  await assert.rejects(ve.convAsync(x, ve.ones([1, 3, 3, 3])), ve.EngineError);
  await assert.rejects(ve.matmulAsync(ve.ones([2, 3]), ve.ones([2, 3])), /shapes cannot be multiplied/);
});

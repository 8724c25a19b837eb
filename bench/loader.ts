/**
 * Does the data pipeline leave the training step waiting? A loop of `await loader.next()` followed
 * by a simulated synchronous training step (busy main thread, default 300 ms); prints the time each
 * iteration spent waiting for its batch after warm-up, next to the time one batch takes to make on
 * a single thread (nnU-Net's default augmentation).
 *   npx tsx bench/loader.ts [--step 300] [--iterations 20] [--workers N] [--only 2d|3d]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { BatchMaker } from '../src/data/batch-maker.js';
import { BatchLoader, type MemoryCase } from '../src/data/loader.js';
import { foregroundLocations } from '../src/data/sampler.js';
import * as ve from '../src/engine/index.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    step: { type: 'string', default: '300' },
    iterations: { type: 'string', default: '20' },
    workers: { type: 'string' },
    only: { type: 'string' },
  },
});
const stepMs = Number(values.step);
const iterations = Number(values.iterations);
const workers = values.workers ? Number(values.workers) : Math.max(1, availableParallelism() - 1);

/** Synthetic cases: noise plus a bright ball of class 1 (sizes like DRIVE / BraTS). */
function cases(count: number, channels: number, shape: number[]): MemoryCase[] {
  const rng = new Random(1);
  return Array.from({ length: count }, () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const label = new Uint8Array(n);
    const centre = shape.map((s) => s * (0.3 + 0.4 * rng.next()));
    const radius = Math.min(...shape) / 6;
    for (let v = 0; v < n; v++) {
      let rest = v,
        r2 = 0;
      for (let a = shape.length - 1; a >= 0; a--) {
        r2 += ((rest % shape[a]!) - centre[a]!) ** 2;
        rest = Math.floor(rest / shape[a]!);
      }
      if (r2 < radius * radius) label[v] = 1;
    }
    const image = Float32Array.from({ length: channels * n }, (_, v) => rng.normal() * 0.5 + label[v % n]!);
    return { image, label, channels, spatialShape: shape };
  });
}

const configs = [
  { name: '2D', cases: () => cases(20, 3, [584, 565]), batchSize: 12, patchSize: [256, 256] },
  { name: '3D', cases: () => cases(4, 2, [155, 240, 240]), batchSize: 2, patchSize: [96, 96, 96] },
].filter((c) => !values.only || c.name.toLowerCase() === values.only.toLowerCase());

console.log(
  `${availableParallelism()} cores, ${workers} loader worker(s), simulated step ${stepMs} ms, ${iterations} iterations`,
);
console.log(
  '| data | batch | one batch on 1 thread | mean wait after warm-up | max wait after warm-up | first batch |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const c of configs) {
  const data = c.cases();
  // the cost of one batch, made on this thread with one libtorch thread
  ve.setNumThreads(1);
  const maker = new BatchMaker({
    cases: data,
    locations: data.map((d, i) => foregroundLocations(d.label!, [...d.spatialShape].reverse(), 2, { seed: i })),
    batchSize: c.batchSize,
    patchSize: c.patchSize,
    channels: data[0]!.channels,
    foregroundFraction: 0.33,
    augmentation: {},
    seed: 9,
    records: false,
  });
  maker.make(0);
  let t0 = performance.now();
  for (let i = 1; i <= 3; i++) maker.make(i);
  const makeMs = (performance.now() - t0) / 3;

  const loader = new BatchLoader({
    cases: data,
    batchSize: c.batchSize,
    patchSize: c.patchSize,
    numClasses: 2,
    seed: 1,
    workers,
  });
  const waits: number[] = [];
  for (let i = 0; i < iterations; i++) {
    t0 = performance.now();
    await loader.next();
    waits.push(performance.now() - t0);
    const end = performance.now() + stepMs;
    while (performance.now() < end); // the training step keeps the main thread busy
  }
  await loader.close();
  const warm = waits.slice(3);
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  const shape = `${c.batchSize}×${data[0]!.channels}×${c.patchSize.join('×')}`;
  console.log(
    `| ${c.name} | ${shape} | ${makeMs.toFixed(0)} ms | ${mean.toFixed(2)} ms | ${Math.max(...warm).toFixed(2)} ms | ${waits[0]!.toFixed(0)} ms |`,
  );
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BatchMaker } from '../../src/data/batch-maker.js';
import {
  type Batch,
  BatchLoader,
  type BatchLoaderOptions,
  type MemoryCase,
  batchTensors,
  loaderCase,
} from '../../src/data/loader.js';
import { foregroundLocations } from '../../src/data/sampler.js';
import { OptionError, ShapeError, VesaliusError } from '../../src/util/errors.js';
import { Random } from '../../src/util/random.js';
import { tempDir } from '../helpers/tmp.js';

/** 2-channel 2D cases with a small square of class 1 and a stripe of class 2. */
function makeCases(count: number, seed = 1): MemoryCase[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const shape = [70 + 7 * i, 60 + 5 * i];
    const n = shape[0]! * shape[1]!;
    const label = new Uint8Array(n);
    for (let y = 0; y < shape[0]!; y++) {
      for (let x = 0; x < shape[1]!; x++) {
        if (y >= 20 && y < 26 && x >= 30 && x < 36) label[y * shape[1]! + x] = 1;
        if (x === 10 + i) label[y * shape[1]! + x] = 2;
      }
    }
    const image = Float32Array.from({ length: 2 * n }, (_, v) => rng.normal() + label[v % n]!);
    return { image, label, channels: 2, spatialShape: shape };
  });
}

const base = (cases: MemoryCase[]): BatchLoaderOptions => ({
  cases,
  batchSize: 3,
  patchSize: [32, 40],
  numClasses: 3,
  seed: 5,
  records: true,
});

async function take(loader: BatchLoader, count: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) out.push(await loader.next());
  await loader.close();
  return out;
}

const same = (a: Batch, b: Batch) => {
  assert.equal(a.index, b.index);
  assert.deepEqual(a.cases, b.cases);
  assert.deepEqual(Buffer.from(a.image.buffer), Buffer.from(b.image.buffer), `batch ${a.index} image`);
  assert.deepEqual(Buffer.from(a.label.buffer), Buffer.from(b.label.buffer), `batch ${a.index} label`);
};

test('batches are the same for a seed whatever the number of workers and prefetch, and match the maker on the main thread', async () => {
  const cases = makeCases(3);
  const one = await take(new BatchLoader({ ...base(cases), workers: 1, prefetch: 1 }), 5);
  // (and whether the workers keep the cases as tensors or copy regions out of the arrays)
  const three = await take(
    new BatchLoader({ ...base(cases), workers: 3, prefetch: 6, tensorCacheBytesPerWorker: 0 }),
    5,
  );
  one.forEach((b, i) => same(b, three[i]!));
  assert.deepEqual(
    one.map((b) => b.index),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(one[0]!.imageShape, [3, 2, 32, 40]);
  assert.deepEqual(one[0]!.labelShape, [3, 1, 32, 40]);
  // the worker only carries the work: the same maker on this thread gives the same batch
  const maker = new BatchMaker({
    cases,
    locations: cases.map((c, i) => foregroundLocations(c.label!, [...c.spatialShape].reverse(), 3, { seed: i })),
    batchSize: 3,
    patchSize: [32, 40],
    channels: 2,
    foregroundFraction: 0.33,
    augmentation: {},
    seed: 5,
    records: true,
  });
  const local = maker.make(3);
  same({ ...local, imageShape: [], labelShape: [] }, one[3]!);
  assert.deepEqual(local.records, one[3]!.records);
  // another seed, other batches
  const other = await take(new BatchLoader({ ...base(cases), seed: 6, workers: 1 }), 1);
  assert.notDeepEqual(Buffer.from(other[0]!.image.buffer), Buffer.from(one[0]!.image.buffer));
});

test('resuming at startBatch continues the exact sequence', async () => {
  const cases = makeCases(2);
  const all = await take(new BatchLoader({ ...base(cases), workers: 2 }), 4);
  const resumed = await take(new BatchLoader({ ...base(cases), workers: 1, startBatch: 2 }), 2);
  same(resumed[0]!, all[2]!);
  same(resumed[1]!, all[3]!);
});

test('labels keep their classes; foreground fraction 1 puts foreground in every patch', async () => {
  const cases = makeCases(2);
  const [b] = await take(
    new BatchLoader({ ...base(cases), foregroundFraction: 1, augmentation: false, batchSize: 6, workers: 1 }),
    1,
  );
  const per = 32 * 40;
  for (let j = 0; j < 6; j++) {
    const patch = b!.label.subarray(j * per, (j + 1) * per);
    assert.ok(
      patch.some((v) => v > 0),
      `sample ${j} has foreground`,
    );
  }
  const augmented = await take(
    new BatchLoader({
      ...base(cases),
      workers: 1,
      augmentation: { rotation: { p: 1 }, scaling: { p: 1 }, elastic: { p: 1 } },
    }),
    3,
  );
  const values = new Set<number>();
  for (const a of augmented) for (const v of a.label) values.add(v);
  assert.deepEqual([...values].sort(), [0, 1, 2]);
  const t = batchTensors(augmented[0]!);
  assert.deepEqual(t.image.shape, [3, 2, 32, 40]);
  assert.equal(t.label.dtype, 'uint8');
});

test('file-backed cases (the cache layout) give the same batches as in-memory ones', async () => {
  const dir = tempDir();
  const cases = makeCases(2);
  const files = cases.map((c, i) => {
    const file = join(dir, `case${i}.bin`);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(c.image.buffer, c.image.byteOffset, c.image.byteLength), Buffer.from(c.label!)]),
    );
    return { file, channels: 2, spatialShape: c.spatialShape, hasLabel: true };
  });
  const fromMemory = await take(new BatchLoader({ ...base(cases), workers: 1 }), 3);
  const fromFiles = await take(new BatchLoader({ ...base(cases), cases: files, workers: 2 }), 3);
  fromMemory.forEach((b, i) => same(b, fromFiles[i]!));
});

test("a failure inside a worker rejects next() with the worker's message", async () => {
  const dir = tempDir();
  const [c] = makeCases(1);
  const file = join(dir, 'short.bin');
  // the label (read on the main thread) is intact, the second image channel is cut short
  const bytes = Buffer.concat([Buffer.from(c!.image.buffer), Buffer.from(c!.label!)]);
  writeFileSync(file, bytes);
  const loader = new BatchLoader({
    ...base([c!]),
    cases: [{ file, channels: 2, spatialShape: c!.spatialShape, hasLabel: true }],
    workers: 1,
  });
  writeFileSync(file, bytes.subarray(0, 4 * c!.image.length - 1000));
  await assert.rejects(
    loader.next(),
    (e: unknown) =>
      e instanceof VesaliusError && /failed in a worker: .*short\.bin: truncated/.test((e as Error).message),
  );
  await loader.close();
  await assert.rejects(loader.next(), /after close/);
});

test('bad options fail before any worker starts', () => {
  const cases = makeCases(1);
  assert.throws(() => new BatchLoader({ ...base([]) }), /no cases/);
  assert.throws(() => new BatchLoader({ ...base(cases), numClasses: 2 }), /label value 2 is outside the 2 classes/);
  assert.throws(() => new BatchLoader({ ...base(cases), patchSize: [32, 32, 32] }), ShapeError);
  assert.throws(() => new BatchLoader({ ...base(cases), batchSize: 0 }), OptionError);
  assert.throws(
    () => new BatchLoader({ ...base([...cases, { ...cases[0]!, channels: 1, image: new Float32Array(70 * 60) }]) }),
    /1 channels, case 0 has 2/,
  );
});

test('after warm-up the step never waits for data', async () => {
  const cases = makeCases(3);
  const stepMs = 80;
  const loader = new BatchLoader({ ...base(cases), batchSize: 2, patchSize: [32, 32], workers: 1, prefetch: 3 });
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await loader.next();
    waits.push(performance.now() - t0);
    const end = performance.now() + stepMs; // a synchronous training step occupying the main thread
    while (performance.now() < end);
  }
  assert.equal(loader.waitStats.batches, 12);
  // waitStats times the await inside next(), a part of what the caller measured
  const measured = waits.reduce((a, b) => a + b, 0);
  assert.ok(
    loader.waitStats.totalMs >= 0 && loader.waitStats.totalMs <= measured + 0.5,
    `waitStats ${loader.waitStats.totalMs} vs measured ${measured}`,
  );
  await loader.close();
  const warm = waits.slice(2);
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  const median = [...warm].sort((a, b) => a - b)[Math.floor(warm.length / 2)]!;
  // a made batch is handed over in well under a millisecond; the margins absorb a loaded machine
  const detail = `mean ${mean.toFixed(2)} ms, median ${median.toFixed(2)} ms (waits ${waits.map((w) => w.toFixed(1)).join(', ')})`;
  assert.ok(median < 0.05 * stepMs && mean < 0.15 * stepMs, `wait after warm-up: ${detail}`);
});

test('a loader that is never closed does not keep the process alive (run from another directory)', () => {
  const script = fileURLToPath(new URL('./fixtures/loader-no-close.ts', import.meta.url));
  // from another working directory: the worker must not resolve its loader from the cwd
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: tmpdir(),
  });
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  assert.match(r.stdout, /batch 0 2x1x16x16/);
});

test('a preprocessed case ([C, k, j, i] data, [i, j, k] shape) becomes a loader case in tensor order', () => {
  const data = Float32Array.from({ length: 2 * 5 * 4 }, (_, v) => v);
  const c = loaderCase({ data, channels: 2, shape: [5, 4, 1] }, 2);
  assert.deepEqual(c.spatialShape, [4, 5]);
  assert.equal(c.image, data);
  assert.deepEqual(loaderCase({ data, channels: 1, shape: [5, 4, 2] }, 3).spatialShape, [2, 4, 5]);
  assert.throws(
    () => loaderCase({ data, channels: 1, shape: [5, 4, 2], id: 'x' }, 2),
    /case x: 2D training needs k = 1/,
  );
});

test('making batches leaks no tensors; the maker frees its case tensors on close', async () => {
  const { memoryStats } = await import('../../src/engine/index.js');
  const cases = makeCases(2);
  const all = {
    rotation: { p: 1 },
    scaling: { p: 1 },
    elastic: { p: 1 },
    grid_distortion: { p: 1 },
    gaussian_noise: { p: 1 },
    gaussian_blur: { p: 1 },
    brightness: { p: 1 },
    contrast: { p: 1 },
    low_resolution: { p: 1 },
    gamma_inverted: { p: 1 },
    gamma: { p: 1 },
    mirror: { p: 1 },
    rot90: { p: 1 },
  };
  const start = memoryStats().liveTensors;
  const maker = new BatchMaker({
    cases,
    locations: cases.map((c, i) => foregroundLocations(c.label!, [...c.spatialShape].reverse(), 3, { seed: i })),
    batchSize: 2,
    patchSize: [32, 32],
    channels: 2,
    foregroundFraction: 0.5,
    augmentation: all,
    seed: 1,
    records: false,
  });
  maker.make(0);
  const warm = memoryStats().liveTensors;
  assert.ok(warm - start === 2 || warm - start === 4, 'each case used so far cached as image + label tensors');
  for (let i = 1; i < 10; i++) maker.make(i);
  assert.equal(memoryStats().liveTensors, warm);
  maker.close();
  assert.equal(memoryStats().liveTensors, start);
});

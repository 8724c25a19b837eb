import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchSampler, foregroundLocations } from '../../src/data/sampler.js';

test('foreground locations per class, capped per class but covering at least 1 %', () => {
  const shape = [100, 100, 3];
  const label = new Uint8Array(30_000);
  for (let v = 0; v < 20_000; v++) label[v] = 1; // 20 000 of class 1
  label[25_000] = 2;
  const loc = foregroundLocations(label, shape, 3, { maxPerClass: 500 });
  assert.equal(loc.byClass[0]!.length, 0);
  assert.equal(loc.byClass[1]!.length, 500); // max(min(500, 20000), ceil(1 % of 20000) = 200)
  assert.ok(loc.byClass[1]!.every((v) => label[v] === 1));
  assert.equal(new Set(loc.byClass[1]).size, 500, 'without replacement');
  assert.deepEqual([...loc.byClass[2]!], [25_000]);
  const cov = foregroundLocations(label, shape, 3, { maxPerClass: 50 });
  assert.equal(cov.byClass[1]!.length, 200, 'at least 1 % coverage');
  assert.deepEqual(foregroundLocations(label, shape, 3, { maxPerClass: 500 }), loc, 'seeded');
});

test('the last round(B·p) samples of a batch are forced to foreground (nnU-Net get_do_oversample)', () => {
  const s = new PatchSampler({ patchSize: [4, 4], foregroundFraction: 0.33 });
  // B = 2: round(2·0.67) = 1 → sample 1 forced; B = 12: round(8.04) = 8 → samples 8..11 forced
  assert.deepEqual(
    [0, 1].map((j) => s.forcesForeground(j, 2)),
    [false, true],
  );
  assert.deepEqual(Array.from({ length: 12 }, (_, j) => s.forcesForeground(j, 12)).filter(Boolean).length, 4);
  assert.equal(new PatchSampler({ patchSize: [4], foregroundFraction: 0 }).forcesForeground(0, 1), false);
});

test('random positions stay within nnU-Net bounds, padding symmetric when the image is smaller', () => {
  const s = new PatchSampler({ patchSize: [8, 4], seed: 3 });
  // axis 0: image 5 < patch 8: pad 3 → start in [floor(-3/2), 5 + 1 + 1 − 8] = [-2, -1]; axis 1: [0, 10 − 4]
  assert.deepEqual(s.bounds([5, 10]), [
    [-2, -1],
    [0, 6],
  ]);
  const loc = foregroundLocations(new Uint8Array(50), [5, 10], 2);
  const seen0 = new Set<number>(),
    seen1 = new Set<number>();
  for (let t = 0; t < 500; t++) {
    const b = s.sample(0, loc, false);
    seen0.add(b.start[0]!);
    seen1.add(b.start[1]!);
  }
  assert.deepEqual(
    [...seen0].sort((a, b) => a - b),
    [-2, -1],
  );
  assert.deepEqual(
    [...seen1].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6],
  );
  // a larger loaded patch for augmentation widens the range so the final crop reaches the borders
  const aug = new PatchSampler({ patchSize: [12], finalPatchSize: [8] });
  assert.deepEqual(aug.bounds([20]), [[-2, 10]]);
});

test('forced samples contain a voxel of a present class; classes are picked uniformly', () => {
  const shape = [40, 30, 20];
  const label = new Uint8Array(40 * 30 * 20);
  label[5 + 40 * (7 + 30 * 3)] = 1; // one class-1 voxel near a corner
  for (let i = 30; i < 35; i++) label[i + 40 * (20 + 30 * 15)] = 2;
  const loc = foregroundLocations(label, shape, 3);
  const s = new PatchSampler({ patchSize: [16, 16, 8], seed: 11 });
  const counts = [0, 0, 0];
  for (let t = 0; t < 400; t++) {
    const b = s.sample(0, loc, true);
    assert.ok(b.forcedForeground && b.centredOnClass !== undefined);
    counts[b.centredOnClass!]!++;
    // the patch contains at least one voxel of that class
    let found = false;
    for (let k = Math.max(0, b.start[2]!); k < Math.min(20, b.start[2]! + 8) && !found; k++)
      for (let j = Math.max(0, b.start[1]!); j < Math.min(30, b.start[1]! + 16) && !found; j++)
        for (let i = Math.max(0, b.start[0]!); i < Math.min(40, b.start[0]! + 16); i++)
          if (label[i + 40 * (j + 30 * k)] === b.centredOnClass) {
            found = true;
            break;
          }
    assert.ok(found, `patch at [${b.start}] misses class ${b.centredOnClass}`);
    const bounds = s.bounds(shape);
    b.start.forEach((x, d) => assert.ok(x >= bounds[d]![0] && x <= bounds[d]![1]));
  }
  assert.ok(counts[1]! > 150 && counts[2]! > 150, `uniform over classes: ${counts}`);
  // no foreground at all: falls back to a random patch
  const empty = foregroundLocations(new Uint8Array(40 * 30 * 20), shape, 3);
  const b = s.sample(0, empty, true);
  assert.equal(b.centredOnClass, undefined);
});

test('batches are seeded and draw cases with replacement', () => {
  const locs = [0, 1, 2].map((c) =>
    foregroundLocations(
      Uint8Array.from({ length: 64 }, (_, v) => (v === c * 10 ? 1 : 0)),
      [8, 8],
      2,
    ),
  );
  const a = new PatchSampler({ patchSize: [4, 4], seed: 5 }).sampleBatch(locs, 6);
  const b = new PatchSampler({ patchSize: [4, 4], seed: 5 }).sampleBatch(locs, 6);
  assert.deepEqual(a, b);
  assert.deepEqual(
    a.map((x) => x.forcedForeground),
    [false, false, false, false, true, true],
  );
  assert.throws(() => new PatchSampler({ patchSize: [4, 4] }).sampleBatch([], 2), /empty dataset/);
});

import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { preprocessCases } from '../../src/data/cache.js';
import { discoverMsd } from '../../src/data/layout/msd.js';
import { planDataset } from '../../src/data/planning.js';
import { restoreToOriginal } from '../../src/data/preprocess.js';
import { readImage } from '../../src/io/read.js';
import { tinyMsd } from '../helpers/tiny-msd.js';
import { tempDir } from '../helpers/tmp.js';

test('preprocessed cases are cached on disk; the second run reads no image; a changed file is recomputed', async () => {
  const root = await tinyMsd(2);
  const dataset = discoverMsd(root);
  const { plan } = await planDataset(dataset, readImage, { overrides: { target_spacing: [1.6, 1.6, 3] } });
  let reads = 0;
  const counting = async (path: string) => {
    reads++;
    return readImage(path);
  };
  const cacheDir = tempDir();
  const seen: boolean[] = [];
  const first = await preprocessCases(dataset, dataset.cases, plan, counting, {
    cacheDir,
    onCase: (_id, _i, _n, cached) => seen.push(cached),
  });
  assert.equal(reads, 6);
  assert.deepEqual(seen, [false, false]);
  const p = first[0]!;
  assert.deepEqual(p.shape, [10, 8, 6]); // crop 20×16×6 at 0.8 mm → 1.6 mm
  assert.equal(p.channels, 2);
  assert.equal(
    p.label!.reduce((a, b) => a + b, 0),
    2 * 2 * 2,
  ); // the 4×4×2 cube at half resolution
  // CT: clip to the foreground percentiles (all 300) and z-score → 0 everywhere
  assert.ok(p.data.subarray(0, 480).every((x) => x === 0));
  const again = await preprocessCases(dataset, dataset.cases, plan, counting, {
    cacheDir,
    onCase: (_id, _i, _n, cached) => seen.push(cached),
  });
  assert.equal(reads, 6, 'no reads from the cache');
  assert.deepEqual(seen.slice(2), [true, true]);
  assert.deepEqual(again, first);
  // touching an input invalidates that case only
  const t = new Date(Date.now() + 5000);
  utimesSync(dataset.cases[1]!.label!, t, t);
  await preprocessCases(dataset, dataset.cases, plan, counting, { cacheDir });
  assert.equal(reads, 9);
  // a truncated cache file is ignored, not trusted
  writeFileSync(join(cacheDir, 'case_0.bin'), new Uint8Array(10));
  const repaired = await preprocessCases(dataset, dataset.cases, plan, counting, { cacheDir });
  assert.equal(reads, 12);
  assert.deepEqual(repaired[0], first[0]);
  // the label goes back onto the original 24×20×8 grid exactly
  const back = restoreToOriginal(p.label!, 1, p.properties, 'labels');
  const original = (await readImage(dataset.cases[0]!.label!)).data;
  assert.deepEqual([...back], [...original]);
});

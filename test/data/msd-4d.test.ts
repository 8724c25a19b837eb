import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { preprocessCases } from '../../src/data/cache.js';
import { discoverMsd } from '../../src/data/layout/msd.js';
import { planDataset } from '../../src/data/planning.js';
import { createImage } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { tempDir } from '../helpers/tmp.js';

test('MSD 4D NIfTI: channels from "modality", planned and preprocessed per channel', async () => {
  const root = tempDir();
  mkdirSync(join(root, 'imagesTr'));
  mkdirSync(join(root, 'labelsTr'));
  writeFileSync(
    join(root, 'dataset.json'),
    JSON.stringify({ modality: { '0': 'CT', '1': 'MRI' }, labels: { '0': 'background', '1': 'organ' } }),
  );
  const n = 6 * 5 * 4;
  for (const id of ['a', 'b']) {
    const data = new Float32Array(2 * n);
    const seg = new Uint8Array(n);
    for (let v = 0; v < n; v++) {
      data[v] = 50 + (v % 3); // CT
      data[n + v] = v % 2 ? 10 : 20; // MRI
      seg[v] = v % 5 === 0 ? 1 : 0;
    }
    await writeImage(createImage(data, [6, 5, 4, 2], { spacing: [1, 1, 1] }), join(root, 'imagesTr', `${id}.nii.gz`));
    await writeImage(createImage(seg, [6, 5, 4], { spacing: [1, 1, 1] }), join(root, 'labelsTr', `${id}.nii.gz`));
  }
  const dataset = discoverMsd(root);
  assert.deepEqual(
    dataset.cases.map((c) => c.images.length),
    [1, 1],
  );
  const { fingerprint, plan } = await planDataset(dataset, readImage);
  assert.deepEqual(fingerprint.channels, ['CT', 'MRI']);
  assert.deepEqual(plan.normalization, ['ct', 'zscore']);
  const [p] = await preprocessCases(dataset, dataset.cases.slice(0, 1), plan, readImage);
  assert.equal(p!.channels, 2);
  // MRI z-score: values 10/20 alternate → ±1
  assert.ok(
    p!.data.subarray(n).every((x) => Math.abs(Math.abs(x) - 1) < 1e-3),
    'MRI channel z-scored',
  );
});

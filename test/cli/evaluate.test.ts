import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createImage, type Vec3 } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'vesalius-cli-eval-'));
after(() => rmSync(root, { recursive: true, force: true }));

const shape: Vec3 = [12, 10, 6];
const spacing: Vec3 = [0.5, 0.5, 2];
/** Label 1 in [lo, hi) along i (all of j, k ∈ [1,5)), label 2 in one corner voxel block. */
function labels(lo: number, hi: number, withTwo: boolean) {
  const data = new Uint8Array(12 * 10 * 6);
  for (let k = 1; k < 5; k++) for (let j = 2; j < 8; j++) for (let i = lo; i < hi; i++) data[i + 12 * (j + 10 * k)] = 1;
  if (withTwo)
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 2; j++) for (let i = 10; i < 12; i++) data[i + 12 * (j + 10 * k)] = 2;
  return createImage(data, shape, { spacing, origin: [10, -5, 3] });
}

before(async () => {
  for (const d of ['pred', 'gt', 'badgeo']) mkdirSync(join(root, d));
  await writeImage(labels(2, 8, true), join(root, 'gt', 'case1.nii.gz'));
  await writeImage(labels(3, 8, true), join(root, 'pred', 'case1.nii.gz'));
  await writeImage(labels(2, 8, false), join(root, 'gt', 'case2.nii.gz'));
  await writeImage(labels(2, 8, false), join(root, 'pred', 'case2.nii.gz'));
  await writeImage(
    createImage(new Uint8Array(720), shape, { spacing: [0.5, 0.5, 2.5] }),
    join(root, 'badgeo', 'case1.nii.gz'),
  );
});

test('evaluate NIfTI folders: per-case CSV, summary JSON, --json on stdout, regions', () => {
  const out = join(root, 'out');
  const r = runCli([
    'evaluate',
    join(root, 'pred'),
    join(root, 'gt'),
    '--labels',
    '1,2',
    '--regions',
    'all=1,2',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(summary.cases, ['case1', 'case2']);
  assert.deepEqual(Object.keys(summary.classes), ['1', '2', 'all']);
  // case1 label 1: GT i ∈ [2,8) (6·6·4 = 144 voxels), pred i ∈ [3,8) (120) → Dice 240/264; case2 identical → 1.
  assert.ok(Math.abs(summary.classes['1'].metrics.dice.mean - (240 / 264 + 1) / 2) < 1e-12);
  // Label 2 exists in case1 (perfect) and in neither map of case2 (both empty).
  assert.equal(summary.classes['2'].bothEmpty, 1);
  assert.match(summary.emptyMaskPolicy, /both empty: Dice 1/);
  const csv = readFileSync(join(out, 'per_case.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 2 * 3);
  assert.ok(existsSync(join(out, 'summary.json')));
  assert.match(r.stderr, /case 2\/2 case2/);
});

test('geometry mismatch and bad options fail with one line naming the case or option', () => {
  const geo = runCli(['evaluate', join(root, 'badgeo'), join(root, 'gt'), '--out', join(root, 'out2')]);
  assert.equal(geo.status, 1);
  assert.match(geo.stderr, /^vesalius: case case1: prediction: spacing/m);
  const tol = runCli(['evaluate', join(root, 'pred'), join(root, 'gt'), '--tolerance', 'x']);
  assert.equal(tol.status, 1);
  assert.match(tol.stderr, /vesalius: --tolerance/);
  const reg = runCli(['evaluate', join(root, 'pred'), join(root, 'gt'), '--regions', 'WT']);
  assert.match(reg.stderr, /vesalius: --regions: expected NAME=l1,l2/);
  // The library names its option ('probability'); the command names the flag the user typed.
  const prob = runCli(['evaluate', join(root, 'pred'), join(root, 'gt'), '--prob', join(root, 'pred')]);
  assert.equal(prob.status, 1);
  assert.match(prob.stderr, /^vesalius: --prob: case case1: a one-channel probability map fits one class/m);
  const missing = runCli(['evaluate', join(root, 'nowhere'), join(root, 'gt')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nowhere: predictions: no such file or folder/);
});

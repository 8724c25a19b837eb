import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { NIBABEL, nibabelView } from '../helpers/nibabel.js';
import { buildNifti, bytesOf } from '../helpers/nifti-builder.js';
import { referenceTest } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();

test('info --json prints the fields of the contract in docs/io.md: LPS geometry and intensities after scl_slope/scl_inter', () => {
  // RAS sform diag(2, 3, 4) + (10, 20, 30); int16 0..5 with slope 2, intercept -1 → values -1..9.
  const path = join(dir, 'known.nii.gz');
  const bytes = buildNifti(
    {
      dims: [3, 2, 1],
      datatype: 4,
      bitpix: 16,
      sformCode: 1,
      srow: [2, 0, 0, 10, 0, 3, 0, 20, 0, 0, 4, 30],
      sclSlope: 2,
      sclInter: -1,
    },
    bytesOf(Int16Array.from([0, 1, 2, 3, 4, 5])),
  );
  writeFileSync(path, bytes);
  const r = runCli(['info', path, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const info = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(info), [
    'path',
    'shape',
    'spacing',
    'origin',
    'direction',
    'dtype',
    'min',
    'max',
    'mean',
  ]);
  assert.deepEqual(info, {
    path,
    shape: [3, 2, 1],
    spacing: [2, 3, 4],
    origin: [-10, -20, 30],
    direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    dtype: 'float32',
    min: -1,
    max: 9,
    mean: 4,
  });
});

referenceTest(
  'info (human) names the orientation; info on a real sample agrees with nibabel',
  NIBABEL,
  () => {
    const path = sharedData('nifti-samples', 'totalsegmentator', 'example_ct_sm.nii.gz')!;
    const human = runCli(['info', path]);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /orientation RAS/);
    const info = JSON.parse(runCli(['info', path, '--json']).stdout);
    const view = nibabelView([path])[path]!;
    assert.deepEqual(info.shape, view.shape);
    assert.ok(Math.abs(info.mean - view.mean!) < 1e-6 * Math.abs(view.mean!));
    assert.ok(Math.abs(info.origin[0] + view.affine[0]![3]!) < 1e-4, 'origin x is RAS x negated');
  },
  skipUnlessData('nifti-samples'),
);

test('info fails with one line naming the file for missing, garbage, unknown and empty-folder input', () => {
  writeFileSync(join(dir, 'garbage.bin'), Buffer.from('\x01\x02\x03 nothing recognisable here at all'));
  writeFileSync(join(dir, 'garbage.nii'), Buffer.from('not a nifti'.repeat(50)));
  mkdirSync(join(dir, 'empty-folder'));
  for (const path of [
    join(dir, 'missing.nii.gz'),
    join(dir, 'garbage.bin'),
    join(dir, 'garbage.nii'),
    join(dir, 'empty-folder'),
  ]) {
    const r = runCli(['info', path]);
    assert.equal(r.status, 1, `${path}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(`vesalius: ${path}`), lines[0]);
  }
});

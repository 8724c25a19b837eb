import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { tinyMsd } from '../helpers/tiny-msd.js';
import { tempDir } from '../helpers/tmp.js';

test('plan on an MSD folder: JSON fingerprint + plan on stdout, the plan saved with --out', async () => {
  const root = await tinyMsd();
  const out = join(tempDir(), 'plan.json');
  const r = runCli(['plan', root, '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const { fingerprint, plan } = JSON.parse(r.stdout);
  assert.deepEqual(fingerprint.channels, ['CT', 'PET']);
  assert.equal(fingerprint.cases.length, 4);
  assert.deepEqual(fingerprint.cases[0].shape_after_crop, [20, 16, 6]);
  // foreground = the class-1 cube, where CT is 300
  assert.deepEqual([fingerprint.foreground_intensity[0].min, fingerprint.foreground_intensity[0].max], [300, 300]);
  assert.deepEqual(fingerprint.class_frequencies, [1 - 32 / 3840, 32 / 3840]);
  assert.equal(plan.dimension, '3d');
  assert.deepEqual(plan.normalization, ['ct', 'zscore']);
  assert.deepEqual(
    plan.target_spacing.map((x: number) => +x.toFixed(6)),
    [0.8, 0.8, 3],
  );
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), plan);
  // the human summary
  const human = runCli(['plan', join(root, 'dataset.json')]);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /plan for .* \(3d, 2 channel\(s\): CT, PET; 2 classes/);
  assert.match(human.stdout, /normalisation\s+CT: ct; PET: zscore/);
});

test('plan errors are one line naming the file or key', async () => {
  const dir = tempDir();
  const noJson = runCli(['plan', dir]);
  assert.equal(noJson.status, 1);
  assert.match(noJson.stderr, /^vesalius: .*: no dataset\.json here; for folders of images and masks write a config/);
  writeFileSync(join(dir, 'run.yaml'), 'dataset: { layout: msd, root: ., colour: red }\n');
  const bad = runCli(['plan', join(dir, 'run.yaml')]);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /run\.yaml: dataset\.colour: unknown key/);
  const mem = runCli(['plan', dir, '--memory', 'lots']);
  assert.match(mem.stderr, /--memory: must be a positive number of GiB/);
});

test('plan DRIVE from a config with its file patterns (real data)', skipUnlessData('drive-retina'), () => {
  const dir = tempDir();
  const config = join(dir, 'drive.yaml');
  writeFileSync(
    config,
    [
      'dataset:',
      '  layout: folders',
      `  root: ${JSON.stringify(sharedData('drive-retina'))}`,
      '  channels: [rgb]',
      '  classes: { background: 0, vessel: 1 }',
      "  images: { dir: training/images, pattern: '^(\\d+)_training\\.tif$' }",
      "  labels: { dir: training/1st_manual, pattern: '^(\\d+)_manual1\\.gif$' }",
      "  roi: { dir: training/mask, pattern: '^(\\d+)_training_mask\\.gif$' }",
      'plan: { patch_size: [256, 256] }',
    ].join('\n'),
  );
  const r = runCli(['plan', config, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { fingerprint, plan } = JSON.parse(r.stdout);
  assert.equal(fingerprint.cases.length, 20);
  assert.ok(fingerprint.class_frequencies[1] > 0.07 && fingerprint.class_frequencies[1] < 0.1);
  assert.equal(plan.dimension, '2d');
  assert.deepEqual(plan.patch_size, [256, 256]);
  assert.deepEqual(plan.overridden, ['patch_size']);
});

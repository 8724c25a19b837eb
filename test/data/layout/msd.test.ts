import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { discoverMsd } from '../../../src/data/layout/msd.js';
import { tempTree } from '../../helpers/tmp.js';

const v2Json = JSON.stringify({
  channel_names: { '0': 'T2', '1': 'ADC' },
  labels: { background: 0, PZ: 1, TZ: 2 },
  numTraining: 2,
  file_ending: '.nii.gz',
});

test('nnU-Net v2 layout: _XXXX channel files grouped by case, ordered by suffix', () => {
  const root = tempTree({
    'dataset.json': v2Json,
    'imagesTr/prostate_02_0001.nii.gz': '',
    'imagesTr/prostate_02_0000.nii.gz': '',
    'imagesTr/prostate_00_0000.nii.gz': '',
    'imagesTr/prostate_00_0001.nii.gz': '',
    'imagesTr/._prostate_00_0000.nii.gz': '', // macOS resource fork: ignored
    'labelsTr/prostate_00.nii.gz': '',
    'labelsTr/prostate_02.nii.gz': '',
    'imagesTs/prostate_09_0000.nii.gz': '',
    'imagesTs/prostate_09_0001.nii.gz': '',
  });
  const ds = discoverMsd(root);
  assert.equal(ds.layout, 'msd');
  assert.deepEqual(ds.channels, ['T2', 'ADC']);
  assert.deepEqual(ds.labels, [
    { name: 'background', value: 0 },
    { name: 'PZ', value: 1 },
    { name: 'TZ', value: 2 },
  ]);
  assert.deepEqual(
    ds.cases.map((c) => c.id),
    ['prostate_00', 'prostate_02'],
  );
  assert.deepEqual(ds.cases[0]!.images, [
    join(root, 'imagesTr/prostate_00_0000.nii.gz'),
    join(root, 'imagesTr/prostate_00_0001.nii.gz'),
  ]);
  assert.equal(ds.cases[1]!.label, join(root, 'labelsTr/prostate_02.nii.gz'));
  assert.deepEqual(
    ds.test.map((c) => [c.id, c.images.length, c.label]),
    [['prostate_09', 2, undefined]],
  );
});

test('MSD layout: 4D files, "modality" and string labels', () => {
  const root = tempTree({
    'dataset.json': JSON.stringify({
      name: 'BrainTumour',
      modality: { '0': 'FLAIR', '1': 'T1w', '2': 't1gd', '3': 'T2w' },
      labels: { '0': 'background', '1': 'edema', '2': 'non-enhancing tumor', '3': 'enhancing tumour' },
      training: [{ image: './imagesTr/BRATS_001.nii.gz', label: './labelsTr/BRATS_001.nii.gz' }],
      test: ['./imagesTs/BRATS_485.nii.gz'],
    }),
    'imagesTr/BRATS_001.nii.gz': '',
    'labelsTr/BRATS_001.nii.gz': '',
  });
  const ds = discoverMsd(root);
  assert.equal(ds.name, 'BrainTumour');
  assert.deepEqual(ds.channels, ['FLAIR', 'T1w', 't1gd', 'T2w']);
  assert.deepEqual(
    ds.labels.map((l) => l.name),
    ['background', 'edema', 'non-enhancing tumor', 'enhancing tumour'],
  );
  assert.deepEqual(ds.cases, [
    {
      id: 'BRATS_001',
      images: [join(root, 'imagesTr/BRATS_001.nii.gz')],
      label: join(root, 'labelsTr/BRATS_001.nii.gz'),
    },
  ]);
  assert.deepEqual(ds.test, []);
});

test('single-channel ids ending in digits are not mistaken for channel suffixes', () => {
  const root = tempTree({
    'dataset.json': JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1 } }),
    'imagesTr/case_0001.nii.gz': '',
    'imagesTr/case_0002.nii.gz': '',
    'labelsTr/case_0001.nii.gz': '',
    'labelsTr/case_0002.nii.gz': '',
  });
  assert.deepEqual(
    discoverMsd(root).cases.map((c) => c.id),
    ['case_0001', 'case_0002'],
  );
});

test('clear errors: missing folder, missing dataset.json, image without label, label without image, empty, counts', () => {
  assert.throws(() => discoverMsd('/nonexistent/ds'), /\/nonexistent\/ds: dataset folder not found/);
  const noJson = tempTree({ 'imagesTr/a.nii.gz': '' });
  assert.throws(() => discoverMsd(noJson), /dataset\.json: not found/);
  const noLabels = tempTree({ 'dataset.json': v2Json, 'imagesTr/a_0000.nii.gz': '' });
  assert.throws(() => discoverMsd(noLabels), /labelsTr: folder not found/);
  const json1 = JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1 } });
  const unlabelled = tempTree({
    'dataset.json': json1,
    'imagesTr/a_0000.nii.gz': '',
    'imagesTr/b_0000.nii.gz': '',
    'labelsTr/a.nii.gz': '',
  });
  assert.throws(
    () => discoverMsd(unlabelled),
    /b_0000\.nii\.gz: image without a label \(expected .*labelsTr\/b\.nii\.gz\)/,
  );
  const orphan = tempTree({
    'dataset.json': json1,
    'imagesTr/a_0000.nii.gz': '',
    'labelsTr/a.nii.gz': '',
    'labelsTr/z.nii.gz': '',
  });
  assert.throws(() => discoverMsd(orphan), /labelsTr\/z\.nii\.gz: label without an image/);
  const empty = tempTree({ 'dataset.json': json1, 'imagesTr/readme.txt': '', 'labelsTr/x.txt': '' });
  assert.throws(() => discoverMsd(empty), /no training images ending in \.nii\.gz \(empty dataset\)/);
  const missingChannel = tempTree({ 'dataset.json': v2Json, 'imagesTr/a_0000.nii.gz': '', 'labelsTr/a.nii.gz': '' });
  assert.throws(() => discoverMsd(missingChannel), /a_0001\.nii\.gz: missing \(case a needs 2 channels\)/);
  const count = tempTree({
    'dataset.json': v2Json,
    'imagesTr/a_0000.nii.gz': '',
    'imagesTr/a_0001.nii.gz': '',
    'labelsTr/a.nii.gz': '',
  });
  assert.throws(() => discoverMsd(count), /numTraining is 2 but .*imagesTr holds 1 cases/);
  const badJson = tempTree({ 'dataset.json': '{"labels": ' });
  assert.throws(() => discoverMsd(badJson), /dataset\.json: not valid JSON/);
  const gaps = tempTree({
    'dataset.json': JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, liver: 2 } }),
  });
  assert.throws(() => discoverMsd(gaps), /class values must be 0, 1, 2/);
  const regions = tempTree({
    'dataset.json': JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, whole: [1, 2] } }),
  });
  assert.throws(() => discoverMsd(regions), /region-based labels/);
});

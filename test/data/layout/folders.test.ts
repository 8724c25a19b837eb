import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { discoverFolders } from '../../../src/data/layout/folders.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import { tempTree } from '../../helpers/tmp.js';

const classes = [
  { name: 'background', value: 0 },
  { name: 'vessel', value: 1 },
];

function driveLike(extra: Record<string, string> = {}): string {
  return tempTree({
    'train/img/03_training.tif': '',
    'train/img/01_training.tif': '',
    'train/gt/01_manual1.gif': '',
    'train/gt/03_manual1.gif': '',
    'train/fov/01_training_mask.gif': '',
    'train/fov/03_training_mask.gif': '',
    'train/img/Thumbs.db': '',
    ...extra,
  });
}
const driveSpec = {
  images: [{ dir: 'train/img', pattern: '^(\\d+)_training\\.tif$' }],
  labels: { dir: 'train/gt', pattern: '^(?<id>\\d+)_manual1\\.gif$' },
  roi: { dir: 'train/fov', pattern: '^(\\d+)_training_mask\\.gif$' },
};

test('images, masks and ROI matched by per-folder capture groups; non-matching files ignored', () => {
  const root = driveLike();
  const ds = discoverFolders({ root, classes, ...driveSpec });
  assert.deepEqual(ds.cases, [
    {
      id: '01',
      images: [join(root, 'train/img/01_training.tif')],
      label: join(root, 'train/gt/01_manual1.gif'),
      roi: join(root, 'train/fov/01_training_mask.gif'),
    },
    {
      id: '03',
      images: [join(root, 'train/img/03_training.tif')],
      label: join(root, 'train/gt/03_manual1.gif'),
      roi: join(root, 'train/fov/03_training_mask.gif'),
    },
  ]);
  assert.deepEqual(ds.channels, ['image']);
  assert.equal(ds.layout, 'folders');
});

test('ISBI-like: same file names in two folders with the default pattern', () => {
  const root = tempTree({
    'image/0.png': '',
    'image/1.png': '',
    'image/10.png': '',
    'label/0.png': '',
    'label/1.png': '',
    'label/10.png': '',
  });
  const ds = discoverFolders({ root, classes, images: [{ dir: 'image' }], labels: { dir: 'label' } });
  assert.deepEqual(
    ds.cases.map((c) => c.id),
    ['0', '1', '10'],
  );
  assert.equal(ds.cases[2]!.label, join(root, 'label/10.png'));
});

test('one folder per case, several channels, matched recursively on relative paths', () => {
  const root = tempTree({
    'train/p1/Flair.nii.gz': '',
    'train/p1/T1c.nii.gz': '',
    'train/p1/seg.nii.gz': '',
    'train/p1/License.txt': '',
    'val/p2/Flair.nii.gz': '',
    'val/p2/T1c.nii.gz': '',
    'val/p2/seg.nii.gz': '',
    'test/p3/Flair.nii.gz': '',
    'test/p3/T1c.nii.gz': '',
    'test/p3/seg.nii.gz': '',
  });
  const ds = discoverFolders({
    root,
    classes,
    channels: ['FLAIR', 'T1c'],
    images: [
      { dir: '.', pattern: '^(?:train|val)/([^/]+)/Flair\\.nii\\.gz$', recursive: true },
      { dir: '.', pattern: '^(?:train|val)/([^/]+)/T1c\\.nii\\.gz$', recursive: true },
    ],
    labels: { dir: '.', pattern: '^(?:train|val)/([^/]+)/seg\\.nii\\.gz$', recursive: true },
    test: {
      images: [
        { dir: 'test', pattern: '^([^/]+)/Flair\\.nii\\.gz$', recursive: true },
        { dir: 'test', pattern: '^([^/]+)/T1c\\.nii\\.gz$', recursive: true },
      ],
    },
  });
  assert.deepEqual(
    ds.cases.map((c) => [c.id, c.images.map((p) => p.slice(root.length + 1))]),
    [
      ['p1', ['train/p1/Flair.nii.gz', 'train/p1/T1c.nii.gz']],
      ['p2', ['val/p2/Flair.nii.gz', 'val/p2/T1c.nii.gz']],
    ],
  );
  assert.deepEqual(
    ds.test.map((c) => [c.id, c.images.length, c.label]),
    [['p3', 2, undefined]],
  );
});

test('clear errors: missing folder, empty, image without label, label without image, duplicates, bad pattern', () => {
  assert.throws(
    () => discoverFolders({ root: '/nonexistent', classes, images: [{ dir: 'x' }] }),
    /\/nonexistent: dataset folder not found/,
  );
  const root = driveLike();
  assert.throws(
    () => discoverFolders({ root, classes, ...driveSpec, labels: { dir: 'train/nope' } }),
    /train\/nope: folder not found \(dataset\.labels\.dir\)/,
  );
  assert.throws(
    () =>
      discoverFolders({ root, classes, ...driveSpec, images: [{ dir: 'train/img', pattern: '^(\\d+)_test\\.tif$' }] }),
    /train\/img: no file matches dataset\.images\.pattern .*\(empty dataset\)/,
  );
  const unlabelled = driveLike({ 'train/img/05_training.tif': '', 'train/fov/05_training_mask.gif': '' });
  assert.throws(
    () => discoverFolders({ root: unlabelled, classes, ...driveSpec }),
    /05_training\.tif: image without a label \(case '05'/,
  );
  const noRoi = driveLike({ 'train/img/05_training.tif': '', 'train/gt/05_manual1.gif': '' });
  assert.throws(
    () => discoverFolders({ root: noRoi, classes, ...driveSpec }),
    /05_training\.tif: image without a region-of-interest mask/,
  );
  const orphan = driveLike({ 'train/gt/07_manual1.gif': '' });
  assert.throws(
    () => discoverFolders({ root: orphan, classes, ...driveSpec }),
    /07_manual1\.gif: label without an image \(case '07'\)/,
  );
  const dup = driveLike({ 'train/img/01_training.tif.tif': '' });
  assert.throws(
    () =>
      discoverFolders({
        root: dup,
        classes,
        ...driveSpec,
        images: [{ dir: 'train/img', pattern: '^(\\d+)_training' }],
      }),
    /duplicate case id '01'/,
  );
  assert.throws(
    () =>
      discoverFolders({
        root,
        classes,
        ...driveSpec,
        images: [{ dir: 'train/img', pattern: '^\\d+_training\\.tif$' }],
      }),
    /dataset\.images\.pattern: .*needs a capture group/,
  );
  assert.throws(
    () => discoverFolders({ root, classes, ...driveSpec, images: [{ dir: 'train/img', pattern: '([' }] }),
    /dataset\.images\.pattern: not a valid regular expression/,
  );
  assert.throws(
    () => discoverFolders({ root, classes, ...driveSpec, labels: undefined }),
    /dataset\.labels: training needs a label folder/,
  );
});

test(
  'DRIVE on disk: 20 training and 20 test cases with labels and FOV masks (patterns are configuration)',
  skipUnlessData('drive-retina'),
  () => {
    const root = sharedData('drive-retina')!;
    const set = (dir: string, kind: string) => ({
      images: [{ dir: `${dir}/images`, pattern: `^(\\d+)_${kind}\\.tif$` }],
      labels: { dir: `${dir}/1st_manual`, pattern: '^(\\d+)_manual1\\.gif$' },
      roi: { dir: `${dir}/mask`, pattern: `^(\\d+)_${kind}_mask\\.gif$` },
    });
    const ds = discoverFolders({
      root,
      classes,
      channels: ['rgb'],
      ...set('training', 'training'),
      test: set('testing', 'test'),
    });
    assert.equal(ds.cases.length, 20);
    assert.equal(ds.test.length, 20);
    assert.deepEqual(
      [ds.cases[0]!.id, ds.cases.at(-1)!.id, ds.test[0]!.id, ds.test.at(-1)!.id],
      ['21', '40', '01', '20'],
    );
    assert.ok(ds.cases.every((c) => c.label && c.roi && c.images.length === 1));
    assert.ok(
      ds.test.every((c) => c.label!.endsWith(`${c.id}_manual1.gif`) && c.roi!.endsWith(`${c.id}_test_mask.gif`)),
    );
  },
);

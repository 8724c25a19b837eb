import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/data/layout/open.js';
import { loadConfig } from '../../src/train/config.js';
import { repoRoot, sharedData, skipUnlessData } from '../helpers/data.js';

// The example configs point at ../../shared/data relative to examples/; tests re-root them at the
// data folder the helpers find (VESALIUS_DATA or ../shared/data).
test(
  'examples/drive.yaml: valid, and discovers 20 + 20 DRIVE cases with labels and FOV masks',
  skipUnlessData('drive-retina'),
  () => {
    const config = loadConfig(join(repoRoot, 'examples', 'drive.yaml'));
    const ds = openDataset({ ...config.dataset, root: sharedData('drive-retina')! });
    assert.equal(ds.cases.length, 20);
    assert.equal(ds.test.length, 20);
    assert.ok([...ds.cases, ...ds.test].every((c) => c.label && c.roi));
  },
);

test(
  'examples/brats.yaml: valid, and discovers 4 training and 2 test patients with 2 channels',
  skipUnlessData('brats2013-deepmedic'),
  () => {
    const config = loadConfig(join(repoRoot, 'examples', 'brats.yaml'));
    const ds = openDataset({ ...config.dataset, root: sharedData('brats2013-deepmedic')! });
    assert.deepEqual(
      ds.cases.map((c) => c.id),
      ['brats_2013_pat0003_1', 'brats_2013_pat0004_1', 'brats_2013_pat0005_1', 'brats_2013_pat0006_1'],
    );
    assert.deepEqual(
      ds.test.map((c) => c.id),
      ['brats_2013_pat0001_1', 'brats_2013_pat0002_1'],
    );
    assert.ok(
      ds.cases.every(
        (c) => c.images.length === 2 && c.images[0]!.endsWith('Flair_subtrMeanDivStd.nii.gz') && c.label && c.roi,
      ),
    );
    assert.deepEqual(ds.labelRemap, { 2: 1, 3: 1, 4: 1 });
  },
);

test('the example configs parse even without the data', () => {
  for (const name of ['drive.yaml', 'brats.yaml']) {
    const config = loadConfig(join(repoRoot, 'examples', name));
    assert.equal(config.dataset.layout, 'folders');
    assert.ok(config.epochs > 0 && config.iterations_per_epoch > 0);
  }
  const drive = loadConfig(join(repoRoot, 'examples', 'drive.yaml'));
  assert.equal(drive.optimizer.name, 'adamw');
  assert.deepEqual(drive.plan.patch_size, [96, 96]);
  assert.equal(drive.validation.fold, 'all');
  // the CPU-sized BraTS run of docs/inference.md
  const brats = loadConfig(join(repoRoot, 'examples', 'brats.yaml'));
  assert.equal(brats.optimizer.name, 'adamw');
  assert.deepEqual(brats.plan.patch_size, [48, 48, 48]);
  assert.deepEqual(brats.plan.target_spacing, [2, 2, 2]);
  assert.equal(brats.validation.fold, 'all');
});

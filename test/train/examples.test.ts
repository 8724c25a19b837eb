import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/data/layout/open.js';
import { prepareInput } from '../../src/data/classification/preprocess.js';
import { readImage } from '../../src/io/read.js';
import type { ClassificationConfig } from '../../src/train/classification/config.js';
import { inputSpec } from '../../src/train/classification/samples.js';
import { loadConfig } from '../../src/train/config.js';
import { loadTaskConfig } from '../../src/train/tasks.js';
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

test('examples/fundus-grading.yaml: green channel, histogram matching and CLAHE parse; prepared on a DRIVE photograph', async (t) => {
  const { config } = loadTaskConfig(join(repoRoot, 'examples', 'fundus-grading.yaml'));
  const c = config as ClassificationConfig;
  assert.equal(c.task, 'classification');
  assert.equal(c.input.channels, 'green');
  assert.deepEqual(c.input.clahe, { tiles: [8, 8], clip_limit: 0.01, bins: 256 });
  assert.match(c.input.histogram_match!, /drive-retina\/training\/images\/21_training\.tif$/);
  assert.deepEqual(c.augmentation.affine.shear_deg, [-5, 5]);
  const drive = sharedData('drive-retina');
  if (!drive) return t.skip('../shared/data/drive-retina is missing: the real-photograph check is skipped');
  const images = join(drive, 'training', 'images');
  const spec = await inputSpec({
    input: { ...c.input, histogram_match: join(images, '21_training.tif') },
  });
  const image = await readImage(join(images, '22_training.tif'));
  const prepared = prepareInput(image, spec, '22_training.tif');
  assert.equal(prepared.channels, 1);
  assert.equal(prepared.data.length, 224 * 224);
  assert.ok(prepared.data.every((v) => v >= 0 && v <= 1));
});

/**
 * An int8 run (from `vesalius quantize`) in the models folder is served on the int8 runtime: the model
 * list says so, the cache loads it as one (and again when its quantization record changes), and the
 * served prediction (mirroring members, as a job runs it) equals predictCase with TTA on the int8 run.
 */
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { isInt8Run, loadInt8Run, QUANTIZATION_FILE, quantizeRun } from '../../src/export/quantize-run.js';
import { Int8Model } from '../../src/infer/int8/model.js';
import { predictCase } from '../../src/infer/predict.js';
import { listModels, ModelCache, modelInfo } from '../../src/serve/models.js';
import { predictWithUncertainty } from '../../src/serve/uncertainty.js';
import { diskImage, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

let models: string;
let images: string[];

before(async () => {
  models = await tinyModels();
  const dir = tempDir();
  images = await Promise.all([21, 22, 23].map((seed) => diskImage(dir, `cal${seed}.nii.gz`, seed)));
  await quantizeRun(join(models, 'disks'), { calibration: images.slice(0, 2), out: join(models, 'disks-int8') });
});

test('an int8 run is listed as a model with precision int8; the float run as fp32', () => {
  assert.deepEqual(listModels(models), ['disks', 'disks-int8']);
  assert.equal(modelInfo(models, 'disks-int8')?.precision, 'int8');
  assert.equal(modelInfo(models, 'disks')?.precision, 'fp32');
});

test('the cache runs an int8 run on the int8 runtime and reloads it when its quantization record changes', () => {
  const cache = new ModelCache(models);
  const run = cache.get('disks-int8');
  assert.ok(run.model instanceof Int8Model);
  assert.ok(!(cache.get('disks').model instanceof Int8Model));
  assert.equal(cache.get('disks-int8'), run, 'cached while unchanged');
  const record = join(models, 'disks-int8', QUANTIZATION_FILE);
  const later = new Date(Date.now() + 5000);
  utimesSync(record, later, later);
  const again = cache.get('disks-int8');
  assert.notEqual(again, run, 'a new quantization record is loaded again');
  assert.ok(isInt8Run(join(models, 'disks-int8')) && again.model instanceof Int8Model);
});

test('the served int8 prediction equals predictCase with mirroring TTA on the int8 run; no MC dropout', async () => {
  const served = new ModelCache(models).get('disks-int8');
  const input = { id: 'x', files: [images[2]!] };
  const p = await predictWithUncertainty(served, input, { tta: true, mcSamples: 3 });
  assert.equal(p.summary.members, 4, '2D: four mirroring members');
  assert.equal(p.summary.mcSamples, 0, 'the int8 runtime has no dropout');
  const direct = await predictCase(loadInt8Run(join(models, 'disks-int8')), input, { tta: true, probabilities: true });
  let maxDiff = 0;
  for (let v = 0; v < p.probabilities.data.length; v++)
    maxDiff = Math.max(maxDiff, Math.abs(p.probabilities.data[v]! - direct.probabilities!.data[v]!));
  assert.ok(maxDiff < 1e-5, `probabilities differ by ${maxDiff}`);
  assert.ok(
    Array.from(direct.labels.data).some((v) => v > 0),
    'the int8 model finds the disk',
  );
});

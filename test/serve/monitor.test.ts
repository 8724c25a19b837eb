/**
 * Model monitoring through the real job path (runJob, without a queue): inputs like the training
 * data do not raise drift against the model's training fingerprint; inputs from a shifted
 * distribution (intensities rescaled) raise the drift score of the intensity features past the
 * threshold, against training and against recent history; `vesalius monitor` prints the table and
 * /metrics carries the scores.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { JobStore, type JobRecord } from '../../src/serve/job-store.js';
import { createMetrics } from '../../src/serve/metrics.js';
import { ModelCache, readFingerprint } from '../../src/serve/models.js';
import { driftReport, formatDrift } from '../../src/serve/monitor/drift.js';
import { trainingFeatures } from '../../src/serve/monitor/features.js';
import { expectedModality, outOfDistribution } from '../../src/serve/monitor/ood.js';
import { readRecords } from '../../src/serve/monitor/store.js';
import { newJobId } from '../../src/serve/ids.js';
import { runJob } from '../../src/serve/run-job.js';
import { PSI_SHIFT } from '../../src/stats/psi.js';
import { runCli } from '../helpers/cli.js';
import { diskImage, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

let models: string;
let data: string;
let store: JobStore;
const cache = () => new ModelCache(models);

before(async () => {
  models = await tinyModels({ cases: 16 });
  data = tempDir();
  store = new JobStore(data);
});

async function job(cacheOf: ModelCache, seed: number, shift: { scale?: number; offset?: number } = {}): Promise<void> {
  const id = newJobId();
  const dir = tempDir();
  const image = await diskImage(dir, 'in.nii.gz', seed, shift);
  mkdirSync(store.inputDir(id), { recursive: true });
  copyFileSync(image, join(store.inputDir(id), '0.nii.gz'));
  const now = new Date().toISOString();
  const record: JobRecord = {
    id,
    model: 'disks',
    owner: 'test',
    createdAt: now,
    expiresAt: now,
    inputs: [{ file: '0.nii.gz', kind: 'nifti', name: 'in.nii.gz', voxels: 1024 }],
    options: { tta: true },
  };
  store.write(record);
  await runJob(store, cacheOf, record, () => {});
}

const training = () => {
  const fp = readFingerprint(join(models, 'disks'))!;
  return trainingFeatures(fp, ['background', 'disk']);
};

test('in-distribution inputs raise no drift; shifted inputs drift past the threshold against training and history', async () => {
  const c = cache();
  for (let s = 0; s < 12; s++) await job(c, 300 + s);
  const calm = driftReport(
    'disks',
    training(),
    readRecords(store.monitoringDir('disks')).map((r) => r.features),
    { window: 12 },
  );
  assert.ok(calm.rows.length >= 10, formatDrift(calm));
  assert.deepEqual(calm.drifted, [], formatDrift(calm));
  for (const r of calm.rows.filter((r) => /image_/.test(r.feature)))
    assert.ok(r.psi <= PSI_SHIFT || r.ksP > 0.001, formatDrift(calm));

  for (let s = 0; s < 12; s++) await job(c, 400 + s, { scale: 1.6, offset: 40 });
  const records = readRecords(store.monitoringDir('disks'));
  assert.equal(records.length, 24);
  const shifted = driftReport(
    'disks',
    training(),
    records.map((r) => r.features),
    { window: 12 },
  );
  const text = formatDrift(shifted);
  for (const feature of ['MR.image_p01', 'MR.image_median', 'MR.image_p99']) {
    for (const reference of ['training', 'history'] as const) {
      const row = shifted.rows.find((r) => r.feature === feature && r.reference === reference);
      assert.ok(row, `${feature} vs ${reference}\n${text}`);
      assert.ok(row.psi > PSI_SHIFT && row.drifted, `${feature} vs ${reference} drifted\n${text}`);
    }
  }
  // geometry did not change, and is not flagged
  for (const feature of ['spacing_i', 'shape_i']) assert.ok(!shifted.drifted.includes(feature), text);
  // each shifted input is also flagged on its own (intensities unlike training)
  assert.ok(records.slice(12).every((r) => r.warnings.some((w) => /intensities unlike training/.test(w.message))));
  assert.ok(
    records.slice(0, 12).every((r) => r.warnings.length === 0),
    JSON.stringify(records.slice(0, 12).map((r) => r.warnings)),
  );

  // Prometheus: the drift scores as gauges
  const metrics = createMetrics({ queueCounts: async () => ({}), driftReports: async () => [shifted] });
  const exposition = await metrics.registry.metrics();
  const psi = /vesalius_drift_psi\{model="disks",feature="MR.image_median",reference="training"\} ([\d.e+-]+)/.exec(
    exposition,
  );
  assert.ok(psi && Number(psi[1]) > PSI_SHIFT, exposition);
  assert.match(exposition, /vesalius_drift_features\{model="disks"\} [1-9]/);

  // the command line: the same table from the run folder and the data folder
  const cli = runCli(['monitor', join(models, 'disks'), '--data', data, '--window', '12']);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /MR\.image_median\s+training.*DRIFT/);
  assert.match(cli.stdout, /^drifted: .*MR\.image_median/m);
});

test('out-of-distribution rules: wrong modality, absurd spacing, unlike intensities; the modality a model expects', () => {
  const train = [
    { spacing_i: 0.8, 'CT.image_median': 40 },
    { spacing_i: 1.2, 'CT.image_median': 60 },
  ];
  assert.deepEqual(
    outOfDistribution({ spacing_i: 1, 'CT.image_median': 50 }, train, { input: 'CT', expected: 'CT' }),
    [],
  );
  const w = outOfDistribution({ spacing_i: 5, 'CT.image_median': 900 }, train, { input: 'MR', expected: 'CT' });
  assert.deepEqual(
    w.map((x) => x.feature),
    ['modality', 'spacing_i', 'CT.image_median'],
  );
  assert.equal(outOfDistribution({ spacing_i: 0 }, train, { input: null, expected: 'CT' })[0]!.feature, 'spacing_i');
  assert.equal(expectedModality(['T2'], ['zscore']), 'MR');
  assert.equal(expectedModality(['image'], ['ct']), 'CT');
  assert.equal(expectedModality(['FLAIR', 'T1c']), 'MR');
  assert.equal(expectedModality(['image'], ['zscore']), undefined);
});

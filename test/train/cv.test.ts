import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { crossValidate, cvPaths } from '../../src/train/cv/cross-validate.js';
import { parseCsvTable } from '../../src/util/csv.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { configText, writeDiskDataset } from './fixture.js';

// One tiny dataset (6 disk images) and three methods on the same folds, shared by the tests below.
let dir: string;
const cfg = (name: string, extra: string) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, configText(join(dir, 'data'), join(dir, 'cv', name), extra));
  return path;
};
const quiet = { progress: false as const, workers: 1, onStage: () => {} };

before(async () => {
  dir = tempDir('vesalius-cv-');
  await writeDiskDataset(join(dir, 'data'), 6, 32, 3);
  cfg('unet', 'inference: { mirror: false }');
  cfg('random_forest', 'method: { name: random_forest, samples: 1500, trees: 8, max_depth: 8 }');
  cfg('otsu', 'method: { name: otsu }');
});

test('cv trains, predicts and evaluates every fold: each case out-of-fold once, a fold column, final checkpoints, val_loss logged', async () => {
  const r = await crossValidate(join(dir, 'unet.yaml'), { folds: 3, ...quiet });
  const p = cvPaths(r.cvDir);
  const folds = JSON.parse(readFileSync(p.splits, 'utf8')) as Array<{ train: string[]; val: string[] }>;
  assert.deepEqual(folds.flatMap((f) => f.val).sort(), ['case00', 'case01', 'case02', 'case03', 'case04', 'case05']);
  const { columns, records } = parseCsvTable(readFileSync(p.perCase, 'utf8'), 'per_case.csv');
  assert.deepEqual(columns.slice(0, 3), ['case', 'fold', 'class']);
  assert.equal(records.length, 6);
  for (const row of records) {
    const fold = folds[Number(row.fold)]!;
    assert.ok(
      fold.val.includes(row.case!) && !fold.train.includes(row.case!),
      `${row.case} predicted by a fold that trained on it`,
    );
  }
  assert.equal(r.summary.perFold.length, 3);
  assert.equal(r.summary.caseCount, 6);
  assert.ok(r.summary.overFolds['1']!.dice!.mean >= 0 && r.summary.classes['1']!.cases === 6);
  assert.ok(r.state.finished);
  for (const f of r.state.foldStatus)
    assert.match(f.checkpoint!, /last\.safetensors$/, 'the final checkpoint is reported');
  const log = readFileSync(join(p.fold(0), 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(
    log.every((e) => Number.isFinite(e.val_loss)),
    'validation loss in every validated epoch',
  );
  for (const id of ['case00', 'case05']) assert.ok(existsSync(join(p.predictions, `${id}.nii.gz`)));
  assert.ok(existsSync(join(p.predictions, 'probabilities', 'case00.nii.gz')));
  const roc = JSON.parse(readFileSync(p.roc, 'utf8'));
  assert.equal(roc[0].positives.reduce((a: number, b: number) => a + b, 0) > 0, true);
});

test('baselines run through the same cv on the same folds (--splits), and compare reads the tables', async () => {
  const splits = cvPaths(join(dir, 'cv', 'unet')).splits;
  for (const name of ['random_forest', 'otsu']) {
    const out = runCli(['cv', join(dir, `${name}.yaml`), '--folds', '3', '--splits', splits, '--no-progress']);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(readFileSync(cvPaths(join(dir, 'cv', name)).splits, 'utf8'), readFileSync(splits, 'utf8'));
  }
  const rf = parseCsvTable(
    readFileSync(cvPaths(join(dir, 'cv', 'random_forest')).perCase, 'utf8'),
    'per_case.csv',
  ).records;
  const mean = rf.reduce((a, r) => a + Number(r.dice), 0) / rf.length;
  assert.ok(mean > 0.8, `random forest on bright disks: mean Dice ${mean}`);
  const cmp = runCli([
    'compare',
    join(dir, 'cv', 'unet'),
    join(dir, 'cv', 'random_forest'),
    join(dir, 'cv', 'otsu'),
    '--json',
  ]);
  assert.equal(cmp.status, 0, cmp.stderr);
  const c = JSON.parse(cmp.stdout);
  assert.deepEqual(
    c.tables.map((t: { name: string }) => t.name),
    ['unet', 'random_forest', 'otsu'],
  );
  assert.equal(c.rows.length, 4); // 2 comparisons × dice, iou
  assert.ok(existsSync(join(dir, 'cv', 'unet', 'compare', 'compare.csv')));
});

test('predict CV_DIR ensembles the fold models; a baseline run folder predicts like a network run', () => {
  const image = join(dir, 'data', 'images', 'case00.nii.gz');
  const out = runCli(['predict', join(dir, 'cv', 'unet'), image, '-o', join(dir, 'ens'), '--no-tta', '--json']);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stderr, /an ensemble of 3 models/);
  const rf = runCli(['predict', join(dir, 'cv', 'random_forest', 'fold_0'), image, '-o', join(dir, 'rf-pred')]);
  assert.equal(rf.status, 0, rf.stderr);
  assert.ok(existsSync(join(dir, 'rf-pred', 'case00.nii.gz')));
  const bad = runCli(['predict', join(dir, 'cv', 'unet'), image, '-o', join(dir, 'x'), '--checkpoint', 'best']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--checkpoint: does not apply to a cross-validation folder/);
});

test('an interrupted cv resumes at its fold and epoch and ends with the same folds', async () => {
  const path = cfg('resumed', 'method: { name: otsu }');
  const first = await crossValidate(path, { folds: 2, ...quiet, stopAfterFolds: 1 });
  assert.equal(first.state.finished, undefined);
  assert.deepEqual(first.summary.foldsDone, [0]);
  await assert.rejects(
    crossValidate(path, { folds: 2, ...quiet }),
    /already holds a cross-validation; continue it with --resume/,
  );
  const second = await crossValidate(path, { folds: 2, ...quiet, resume: true });
  assert.ok(second.state.finished);
  assert.equal(second.summary.caseCount, 6);
  // a network fold stopped mid-training continues from its last epoch
  const net = cfg('net-resume', 'inference: { mirror: false }');
  await crossValidate(net, { folds: 2, ...quiet, stopAfterEpoch: 1 });
  const state = JSON.parse(
    readFileSync(join(dir, 'cv', 'net-resume', 'fold_0', 'checkpoints', 'last.state.json'), 'utf8'),
  );
  assert.equal(state.epoch, 1);
  const done = await crossValidate(net, { folds: 2, ...quiet, resume: true });
  assert.ok(done.state.finished);
  const log = readFileSync(join(dir, 'cv', 'net-resume', 'fold_0', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.deepEqual(
    log.map((l) => JSON.parse(l).epoch),
    [1, 2, 3],
  );
});

test('bad requests are one-line errors: more folds than cases, a baseline for a task it cannot do, early stopping on the held-out fold, a missing folder', async () => {
  const many = runCli(['cv', join(dir, 'unet.yaml'), '--folds', '7', '--out', join(dir, 'x7')]);
  assert.equal(many.status, 1);
  assert.match(many.stderr, /^vesalius: --folds: 7 folds need at least 7 cases, the dataset has 6\n$/);
  const three = cfg('three', 'method: { name: otsu }').replace('.yaml', '');
  writeFileSync(
    `${three}.yaml`,
    readFileSync(`${three}.yaml`, 'utf8').replace(
      'classes: { background: 0, disk: 1 }',
      'classes: { background: 0, disk: 1, rim: 2 }',
    ),
  );
  const otsu = runCli(['cv', `${three}.yaml`, '--folds', '2']);
  assert.equal(otsu.status, 1);
  assert.match(otsu.stderr, /method\.name: otsu separates two classes but the dataset has 3; use random_forest or svm/);
  const es = cfg('es', 'early_stopping: { patience: 2 }');
  await assert.rejects(
    crossValidate(es, { folds: 2, ...quiet }),
    /early_stopping\.patience: .*use cv\.checkpoint: inner/,
  );
  for (const args of [
    ['predict', join(dir, 'nowhere'), 'x.nii.gz', '-o', 'y'],
    ['report', join(dir, 'nowhere')],
    ['compare', join(dir, 'nowhere'), join(dir, 'cv', 'otsu')],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^vesalius: .*nowhere.*\n$/);
  }
});

test('cv.checkpoint inner: each fold trains on an inner split of its training folds and reports the best checkpoint there', async () => {
  const path = cfg('inner', 'cv: { checkpoint: inner, inner_val_fraction: 0.34 }\ninference: { mirror: false }');
  const r = await crossValidate(path, { folds: 2, ...quiet });
  const folds = JSON.parse(readFileSync(cvPaths(r.cvDir).splits, 'utf8')) as Array<{ train: string[]; val: string[] }>;
  const fc = JSON.parse(readFileSync(cvPaths(r.cvDir).foldConfig(0), 'utf8'));
  const inner = [...fc.validation.train_cases, ...fc.validation.val_cases].sort();
  assert.deepEqual(inner, [...folds[0]!.train].sort(), 'the inner split covers the training folds only');
  assert.ok(fc.validation.val_cases.every((id: string) => !folds[0]!.val.includes(id)));
  assert.match(r.state.foldStatus[0]!.checkpoint!, /best\.safetensors$/);
});

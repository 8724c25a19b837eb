// Cross-validation of a classification config: fold assignment (stratified, grouped, covering, seeded),
// an end-to-end CV through the CLI on a separable dataset (files, fold column, out-of-fold AUC, summary
// = `evaluate` on the CSV, predict CV_DIR as an ensemble), resume after an interrupted fold, bad input.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ClassificationDataset, ClassificationSample } from '../../src/data/classification/dataset.js';
import { createImage } from '../../src/io/image.js';
import { writePng } from '../../src/io/raster.js';
import { parseClassificationConfig } from '../../src/train/classification/config.js';
import { classificationFolds, innerSplit } from '../../src/train/cv/classification-folds.js';
import { crossValidateClassification } from '../../src/train/cv/classification-cv.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function dataset(samples: ClassificationSample[]): ClassificationDataset {
  return { name: 't', classes: ['a', 'b', 'c'], multiLabel: false, samples };
}

const cfg = (cv: Record<string, unknown> = {}) =>
  parseClassificationConfig({
    task: 'classification',
    dataset: { format: 'csv', path: 'x.csv' },
    input: { size: [8, 8] },
    cv,
  });

function imbalanced(n = 47, withSubjects = false): ClassificationSample[] {
  const rng = new Random(3);
  return Array.from({ length: n }, (_, i) => ({
    id: `s${String(i).padStart(3, '0')}`,
    target: [i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0],
    ...(withSubjects ? { subject: `p${rng.int(15)}` } : {}),
    extra: { site: i % 2 ? 'north' : 'south' },
  }));
}

test('classification folds: each sample held out once, stratified within one sample, seeded, test split left out', () => {
  const samples = [...imbalanced(), { id: 'test_0', target: [0], split: 'test' as const }];
  const folds = classificationFolds(dataset(samples), cfg(), 5);
  const pool = samples.filter((s) => s.split !== 'test');
  const held = folds.flatMap((f) => f.val);
  assert.equal(held.length, pool.length);
  assert.deepEqual([...held].sort(), pool.map((s) => s.id).sort());
  assert.ok(!held.includes('test_0') && !folds.some((f) => f.train.includes('test_0')));
  for (const f of folds) assert.equal(f.train.length + f.val.length, pool.length);
  const label = new Map(pool.map((s) => [s.id, s.target[0]!]));
  for (const c of [0, 1, 2]) {
    const share = pool.filter((s) => s.target[0] === c).length / pool.length;
    for (const f of folds) {
      const n = f.val.filter((id) => label.get(id) === c).length;
      assert.ok(Math.abs(n - share * f.val.length) <= 1, `class ${c}: ${n} of ${f.val.length} vs ${share}`);
    }
  }
  assert.deepEqual(classificationFolds(dataset(samples), cfg(), 5), folds);
  assert.notDeepEqual(classificationFolds(dataset(samples), cfg({ seed: 7 }), 5), folds);
  // an extra CSV column can be the stratum instead
  const bySite = classificationFolds(dataset(samples), cfg({ stratify_by: 'site' }), 4);
  for (const f of bySite) {
    const north = f.val.filter((id) => pool.find((s) => s.id === id)!.extra!.site === 'north').length;
    assert.ok(Math.abs(north - f.val.length / 2) <= 1);
  }
});

test('classification folds: no subject in two folds; the inner split is grouped too', () => {
  const samples = imbalanced(60, true);
  const subject = new Map(samples.map((s) => [s.id, s.subject!]));
  const folds = classificationFolds(dataset(samples), cfg(), 4);
  const foldOf = new Map<string, number>();
  folds.forEach((f, i) => {
    for (const id of f.val) {
      const p = subject.get(id)!;
      assert.ok(!foldOf.has(p) || foldOf.get(p) === i, `subject ${p} in folds ${foldOf.get(p)} and ${i}`);
      foldOf.set(p, i);
    }
  });
  assert.equal(folds.flatMap((f) => f.val).length, 60);
  const inner = innerSplit(folds[0]!.train, dataset(samples), cfg({ checkpoint: 'inner', inner_val_fraction: 0.25 }));
  const innerVal = new Set(inner.val.map((id) => subject.get(id)));
  assert.ok(inner.train.every((id) => !innerVal.has(subject.get(id))));
  assert.ok(inner.val.every((id) => folds[0]!.train.includes(id)));
  assert.equal(inner.train.length + inner.val.length, folds[0]!.train.length);
});

test('classification folds: more folds than subjects or a missing stratify column is one clear error', () => {
  assert.throws(
    () => classificationFolds(dataset(imbalanced(60, true)), cfg(), 20),
    /20 folds need at least 20 subjects, the dataset has 15/,
  );
  assert.throws(() => classificationFolds(dataset(imbalanced(4)), cfg(), 5), /5 folds need at least 5 cases/);
  assert.throws(
    () => classificationFolds(dataset(imbalanced()), cfg({ stratify_by: 'scanner' }), 3),
    /cv\.stratify_by.*"scanner" is not 'label' nor a column of .*x\.csv \(extra columns: site\)/,
  );
});

async function csvDataset(dir: string, perClass = 9, size = 16): Promise<string> {
  const rng = new Random(5);
  const rows = ['path,label,subject'];
  for (const [c, name] of ['dark', 'bright'].entries()) {
    for (let n = 0; n < perClass; n++) {
      const data = new Uint8Array(size * size);
      for (let v = 0; v < data.length; v++) data[v] = 40 + rng.int(30);
      if (c === 1) for (let j = 2; j < 8; j++) for (let i = 8; i < 14; i++) data[i + size * j] = 220;
      const file = join(dir, 'img', `${name}${n}.png`);
      mkdirSync(join(dir, 'img'), { recursive: true });
      await writePng(createImage(data, [size, size, 1]), file);
      // two images per subject (of one class)
      rows.push(`img/${name}${n}.png,${name},${name}-${Math.floor(n / 2)}`);
    }
  }
  writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  return join(dir, 'labels.csv');
}

function config(dir: string, extra = ''): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `task: classification
dataset: { format: csv, path: labels.csv, subject_column: subject }
input: { size: [16, 16], mean: [0.5], std: [0.5] }
network: { architecture: resnet18, stem: small, norm: group }
epochs: 2
iterations_per_epoch: 3
batch_size: 6
threads: 2
output: cvrun
${extra}`,
  );
  return path;
}

test('cv on a classification config through the CLI: folds by subject, out-of-fold CSV, summary = evaluate, ensemble predict', async () => {
  const dir = tempDir();
  await csvDataset(dir);
  const cv = runCli(['cv', config(dir), '--folds', '3', '--no-progress', '--json'], { timeoutMs: 600_000 });
  assert.equal(cv.status, 0, cv.stderr);
  const out = join(dir, 'cvrun');
  for (const f of ['cv.json', 'config.json', 'splits.json', 'predictions.csv', 'summary.json', 'fold_2/cv_fold.json'])
    assert.ok(existsSync(join(out, f)), f);
  const state = JSON.parse(cv.stdout);
  assert.equal(state.task, 'classification');
  assert.ok(state.finished);
  // every subject in one fold
  const splits = JSON.parse(readFileSync(join(out, 'splits.json'), 'utf8')) as Array<{ val: string[] }>;
  const lines = readFileSync(join(out, 'predictions.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'id,fold,path,truth,prediction,p_bright,p_dark');
  assert.equal(lines.length, 19);
  for (const line of lines.slice(1)) {
    const [id, fold] = line.split(',');
    assert.ok(splits[Number(fold)]!.val.includes(id!), `${id} held out by fold ${fold}`);
  }
  const subjectFold = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const [, fold, path] = line.split(',');
    const subject = `${path!.match(/(dark|bright)(\d)/)![1]}-${Math.floor(Number(path!.match(/(\d)\.png/)![1]) / 2)}`;
    assert.ok(!subjectFold.has(subject) || subjectFold.get(subject) === fold, subject);
    subjectFold.set(subject, fold!);
  }
  const summary = state.summary;
  assert.equal(summary.sampleCount, 18);
  assert.equal(summary.perFold.length, 3);
  // each fold's held-out AUC (a few steps leave the fold models uncalibrated against each other, so the
  // pooled AUC is not asserted)
  for (const f of summary.perFold) assert.ok(f.report.auc >= 0.9, `fold ${f.fold}: out-of-fold AUC ${f.report.auc}`);
  assert.ok(summary.overFolds.auc.mean >= 0.9);
  assert.ok(summary.overFolds.accuracy.folds === 3);
  // the summary's overall numbers are evaluate's on the CSV
  const evaluate = runCli(['evaluate', join(out, 'predictions.csv'), '--json']);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const report = JSON.parse(evaluate.stdout);
  for (const key of ['auc', 'aucCi', 'accuracy', 'accuracyCi', 'balancedAccuracy', 'macroF1', 'kappa', 'ece'])
    assert.deepEqual(report[key], summary.overall[key], key);
  // the fold models as an ensemble (probabilities averaged)
  const image = join(dir, 'img', 'bright0.png');
  const predict = runCli(['predict', out, image, '-o', join(dir, 'ens.csv')]);
  assert.equal(predict.status, 0, predict.stderr);
  assert.match(predict.stderr, /ensemble of 3 fold models/);
  const row = readFileSync(join(dir, 'ens.csv'), 'utf8').trim().split('\n')[1]!.split(',');
  assert.equal(row[3], 'bright');
  // the same folds given back
  const again = runCli(
    [
      'cv',
      config(dir),
      '--folds',
      '3',
      '--splits',
      join(out, 'splits.json'),
      '--out',
      join(dir, 'again'),
      '--stop-after-folds',
      '0',
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'again', 'splits.json'), 'utf8')), splits);
});

test('an interrupted classification cv resumes at its fold and epoch; bad input is one line', async () => {
  const dir = tempDir();
  await csvDataset(dir, 6);
  // accuracy selects on an inner split this small (its AUC is undefined when it holds one class)
  const path = config(dir, 'cv: { checkpoint: inner, inner_val_fraction: 0.34 }\nvalidation: { metric: accuracy }');
  const quiet = { progress: false, onStage: () => {} };
  // fold 0 finishes, fold 1 stops after its first epoch
  const first = await crossValidateClassification(path, { ...quiet, folds: 2, stopAfterFolds: 1 });
  assert.deepEqual(first.summary.foldsDone, [0]);
  const second = await crossValidateClassification(path, { ...quiet, folds: 2, resume: true, stopAfterEpoch: 1 });
  assert.ok(!second.state.finished);
  const log1 = readFileSync(join(dir, 'cvrun', 'fold_1', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(log1.length, 1);
  const lines: string[] = [];
  const done = await crossValidateClassification(path, {
    ...quiet,
    onStage: (l) => lines.push(l),
    folds: 2,
    resume: true,
  });
  assert.ok(done.state.finished);
  assert.ok(
    lines.some((l) => /fold 2\/2: resuming/.test(l)),
    lines.join('\n'),
  );
  const epochs = readFileSync(join(dir, 'cvrun', 'fold_1', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).epoch);
  assert.deepEqual(epochs, [1, 2]);
  assert.equal(done.summary.sampleCount, 12);
  assert.match(done.state.foldStatus[0]!.checkpoint!, /best\.safetensors$/);

  const oneLine = (args: string[], pattern: RegExp) => {
    const r = runCli(args);
    assert.equal(r.status, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, pattern);
  };
  oneLine(
    ['cv', path, '--folds', '7', '--out', join(dir, 'x')],
    /--folds.*7 folds need at least 7 subjects, the dataset has 6/,
  );
  oneLine(['cv', path, '--folds', '2'], /already holds a cross-validation; continue it with --resume/);
  const bad = config(dir, 'cv: { stratify_by: grade }');
  oneLine(['cv', bad, '--folds', '2', '--out', join(dir, 'y')], /cv\.stratify_by.*"grade" is not 'label' nor a column/);
});

// Classification end to end through the CLI on a tiny class-folder dataset (bright square vs dark):
// train (the one trainer, task: classification) → predict (CSV) → evaluate (CSV) → explain (NIfTI in the
// input's geometry + PNG overlay + pseudo-mask); and the bad inputs the issue lists, each one line.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { createImage } from '../../src/io/image.js';
import { writeNifti } from '../../src/io/nifti/write.js';
import { readImage } from '../../src/io/read.js';
import { writePng } from '../../src/io/raster.js';
import { assertOneLineError, runCli } from '../helpers/cli.js';
import { classFolders } from '../helpers/class-folders.js';
import { tempDir } from '../helpers/tmp.js';

function config(dir: string, data: string, extra = ''): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `task: classification
dataset: { format: folders, path: ${JSON.stringify(data)} }
input: { size: [32, 32], mean: [0.5], std: [0.5] }
network: { architecture: resnet18 }
epochs: 2
batch_size: 4
validation: { folds: 2, fold: 0 }
augmentation: { flip: { p: 0.5 }, affine: { p: 0.5 } }
threads: 2
output: run
${extra}`,
  );
  return path;
}

test('train → predict → evaluate → explain on class folders, through the CLI', async () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  await classFolders(data);
  const train = runCli(['train', config(dir, data), '--no-progress', '--json'], { timeoutMs: 600_000 });
  assert.equal(train.status, 0, train.stderr);
  const summary = JSON.parse(train.stdout);
  assert.equal(summary.task, 'classification');
  assert.equal(summary.epochsDone, 2);
  assert.match(train.stderr, /best val auc/);
  const run = join(dir, 'run');
  for (const f of ['config.json', 'dataset.json', 'splits.json', 'log.jsonl', 'checkpoints/best.safetensors'])
    assert.ok(existsSync(join(run, f)), f);
  const info = JSON.parse(readFileSync(join(run, 'dataset.json'), 'utf8'));
  assert.deepEqual([info.classes, info.channels, info.trainSamples, info.valSamples], [['bright', 'dark'], 1, 6, 6]);
  const log = readFileSync(join(run, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(log.every((e) => typeof e.val_auc === 'number' && typeof e.val_loss === 'number'));

  const inputs = [join(data, 'bright', 'img0.png'), join(data, 'dark', 'img1.png')];
  const predict = runCli(['predict', run, ...inputs, '-o', join(dir, 'pred.csv')]);
  assert.equal(predict.status, 0, predict.stderr);
  const rows = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
  assert.equal(rows[0], 'id,path,truth,prediction,p_bright,p_dark');
  assert.equal(rows.length, 3);
  const truth = join(dir, 'truth.csv');
  writeFileSync(truth, 'id,label\nimg0.png,bright\nimg1.png,dark\n');
  const evaluate = runCli(['evaluate', join(dir, 'pred.csv'), truth, '--json', '--resamples', '100']);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const report = JSON.parse(evaluate.stdout);
  assert.equal(report.cases, 2);
  assert.ok(existsSync(join(dir, 'evaluation', 'summary.json')));

  // explain a NIfTI input with its own geometry: the heatmap comes back on exactly that grid
  const img = await readImage(inputs[0]!);
  const nifti = join(dir, 'case.nii.gz');
  await writeNifti({ ...img, spacing: [0.7, 0.7, 1], origin: [10, -5, 3] }, nifti);
  const explain = runCli(['explain', run, nifti, '-o', join(dir, 'cam'), '--mask', '0.5', '--json']);
  assert.equal(explain.status, 0, explain.stderr);
  const [written] = JSON.parse(explain.stdout);
  const heat = await readImage(written.heatmap);
  assert.deepEqual(heat.shape.slice(0, 3), [32, 32, 1]);
  assert.deepEqual(
    heat.spacing.map((v) => Number(v.toFixed(4))),
    [0.7, 0.7, 1],
  );
  assert.deepEqual(
    heat.origin.map((v) => Number(v.toFixed(4))),
    [10, -5, 3],
  );
  assert.ok(existsSync(written.overlay) && existsSync(written.mask));
  const occlusion = runCli([
    'explain',
    run,
    inputs[0]!,
    '-o',
    join(dir, 'occ'),
    '--method',
    'occlusion',
    '--window',
    '8',
  ]);
  assert.equal(occlusion.status, 0, occlusion.stderr);
});

test('bad input is one line: empty class folder, unknown label, npz without arrays, mixed channels, mismatched state dict', async () => {
  const dir = tempDir();
  const oneLine = assertOneLineError;
  const data = join(dir, 'data');
  await classFolders(data, 2, 16);
  mkdirSync(join(data, 'empty'));
  oneLine(runCli(['train', config(dir, data), '--no-progress']), /data\/empty: class folder without images/);

  writeFileSync(
    join(dir, 'labels.csv'),
    `path,label\n${join(data, 'dark', 'img0.png')},dark\n${join(data, 'bright', 'img0.png')},cat\n`,
  );
  const csv = join(dir, 'csv.yaml');
  writeFileSync(
    csv,
    readFileSync(config(dir, data), 'utf8').replace(
      /dataset: .*/,
      `dataset: { format: csv, path: labels.csv, classes: [dark, bright] }`,
    ),
  );
  oneLine(
    runCli(['train', csv, '--no-progress']),
    /labels\.csv row 3: label 'cat' is not one of the classes \(dark, bright\)/,
  );

  const npz = join(dir, 'bad.npz');
  writeFileSync(npz, emptyZip());
  const npzConfig = join(dir, 'npz.yaml');
  writeFileSync(
    npzConfig,
    readFileSync(config(dir, data), 'utf8').replace(/dataset: .*/, 'dataset: { format: medmnist, path: bad.npz }'),
  );
  oneLine(runCli(['train', npzConfig, '--no-progress']), /bad\.npz: no train_images\/train_labels arrays/);

  const mixed = join(dir, 'mixed');
  await classFolders(mixed, 2, 16);
  await writePng(createImage(new Uint8Array(16 * 16 * 3).fill(9), [16, 16, 1, 3]), join(mixed, 'dark', 'rgb.png'));
  oneLine(
    runCli(['train', config(dir, mixed), '--no-progress']),
    /rgb\.png: 3 channel\(s\), but .* has 1: images of mixed channel counts/,
  );

  const weights = join(dir, 'weights.safetensors');
  ve.writeSafetensors(weights, { 'backbone.conv1.weight': ve.zeros([64, 1, 7, 7]), 'fc.weight': ve.zeros([2, 512]) });
  const ft = config(dir, data, `finetune: { weights: ${JSON.stringify(weights)} }`);
  writeFileSync(ft, readFileSync(ft, 'utf8'));
  const clean = join(dir, 'clean');
  await classFolders(clean, 2, 16);
  writeFileSync(ft, readFileSync(ft, 'utf8').replace(JSON.stringify(data), JSON.stringify(clean)));
  oneLine(
    runCli(['train', ft, '--no-progress']),
    /weights\.safetensors: state dict names do not match ResNet: missing conv1\.weight, .*; unexpected backbone\.conv1\.weight/,
  );
});

/** A zip with no entries: an .npz without any array. */
function emptyZip(): Uint8Array {
  const eocd = new Uint8Array(22);
  new DataView(eocd.buffer).setUint32(0, 0x06054b50, true);
  return eocd;
}

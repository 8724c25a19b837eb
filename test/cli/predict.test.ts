import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePostprocess } from '../../src/cli/predict.js';
import { planSchema } from '../../src/data/plan.js';
import { manualSeed } from '../../src/engine/random.js';
import { createImage } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { parseConfig } from '../../src/train/config.js';
import { buildModel } from '../../src/train/model.js';
import { runPaths, saveCheckpoint, writeRunSetup } from '../../src/train/run-folder.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A run folder in the trainer's format: a small 2D U-Net with seeded random weights (best and last differ). */
function writeRun(dir: string): string {
  const runDir = join(dir, 'run');
  const config = parseConfig({
    dataset: {
      layout: 'folders',
      root: dir,
      classes: { background: 0, disk: 1 },
      images: { dir: 'images' },
      labels: { dir: 'labels' },
    },
    plan: { patch_size: [16, 16], batch_size: 2, pools_per_axis: [2, 2], features_per_stage: [4, 8, 16] },
  });
  const plan = planSchema.parse({
    dataset: 'disks',
    dimension: '2d',
    axis_order: 'ijk',
    channels: ['MR'],
    num_classes: 2,
    target_spacing: [1, 1],
    original_median_spacing: [1, 1],
    median_shape: [30, 24],
    patch_size: [16, 16],
    batch_size: 2,
    pools_per_axis: [2, 2],
    pool_kernel_sizes: [
      [1, 1],
      [2, 2],
      [2, 2],
    ],
    conv_kernel_sizes: [
      [3, 3],
      [3, 3],
      [3, 3],
    ],
    features_per_stage: [4, 8, 16],
    normalization: ['zscore'],
    use_mask_for_norm: [false],
    foreground_intensity: [
      { name: 'MR', mean: 0, median: 0, std: 1, min: -1, max: 1, percentile_00_5: -1, percentile_99_5: 1 },
    ],
    memory: { budget_bytes: 1, estimated_bytes_per_sample: 1 },
    overridden: [],
  });
  const datasetInfo = {
    labels: [
      { name: 'background', value: 0 },
      { name: 'disk', value: 1 },
    ],
    channels: ['MR'],
    numClasses: 2,
  };
  writeRunSetup(runDir, { config, plan, datasetInfo, splits: [{ train: ['a'], val: [] }] });
  const p = runPaths(runDir);
  manualSeed(1);
  saveCheckpoint(p.best, buildModel(config, plan, 1, 2), { epoch: 1, metric: 0.5 });
  manualSeed(2);
  saveCheckpoint(p.last, buildModel(config, plan, 1, 2), { epoch: 2 });
  return runDir;
}

async function writeInput(
  dir: string,
  name: string,
  shape: number[],
  spacing: [number, number, number],
): Promise<string> {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let v = 0; v < n; v++) data[v] = Math.sin(v * 0.37) * 50 + 100;
  const path = join(dir, name);
  await writeImage(createImage(data, shape, { spacing, origin: [3, -7, 11] }), path);
  return path;
}

test('predict RUN INPUT -o OUT: label maps with the input geometry; ensemble with the same checkpoint file equals the single run', async () => {
  const dir = tempDir();
  const runDir = writeRun(dir);
  const input = await writeInput(dir, 'scan.nii.gz', [30, 24, 1], [1, 1, 1]);
  const single = runCli(['predict', runDir, input, '-o', join(dir, 'single'), '--probabilities', '--no-tta']);
  assert.equal(single.status, 0, single.stderr);
  const labels = await readImage(join(dir, 'single', 'scan.nii.gz'));
  assert.deepEqual(labels.shape.slice(0, 2), [30, 24]);
  assert.deepEqual(labels.origin, [3, -7, 11]);
  const pair = runCli([
    'predict',
    runDir,
    input,
    '-o',
    join(dir, 'pair'),
    '--probabilities',
    '--no-tta',
    '--ensemble',
    join(runDir, 'checkpoints', 'best.safetensors'),
  ]);
  assert.equal(pair.status, 0, pair.stderr);
  const a = await readImage(join(dir, 'single', 'probabilities', 'scan.nii.gz'));
  const b = await readImage(join(dir, 'pair', 'probabilities', 'scan.nii.gz'));
  assert.deepEqual(a.shape, [30, 24, 1, 2]);
  assert.deepEqual(b.data, a.data);
  for (let v = 0; v < 30 * 24; v++) assert.ok(Math.abs(a.data[v]! + a.data[30 * 24 + v]! - 1) < 1e-5);
  // the last checkpoint holds other weights: --checkpoint last changes the probabilities
  const last = runCli([
    'predict',
    runDir,
    input,
    '-o',
    join(dir, 'last'),
    '--probabilities',
    '--no-tta',
    '--checkpoint',
    'last',
  ]);
  assert.equal(last.status, 0, last.stderr);
  const c = await readImage(join(dir, 'last', 'probabilities', 'scan.nii.gz'));
  assert.notDeepEqual(c.data, a.data);
});

test('a 2D PNG input gives a PNG output named after it; one input may name the output file', async () => {
  const dir = tempDir();
  const runDir = writeRun(dir);
  const grey = new Uint8Array(30 * 24).map((_, v) => (v * 7) % 256);
  await writeImage(createImage(grey, [30, 24]), join(dir, 'photo.png'));
  const r = runCli(['predict', runDir, join(dir, 'photo.png'), '-o', join(dir, 'out'), '--batch', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['photo.png']);
  assert.deepEqual((await readImage(join(dir, 'out', 'photo.png'))).shape.slice(0, 2), [30, 24]);
  const named = runCli(['predict', runDir, join(dir, 'photo.png'), '-o', join(dir, 'mask.nrrd')]);
  assert.equal(named.status, 0, named.stderr);
  assert.ok(existsSync(join(dir, 'mask.nrrd')));
});

test('PNG predictions with NIfTI probability maps evaluate against PNG masks (the DRIVE path: --binary, --prob)', async () => {
  const dir = tempDir();
  const runDir = writeRun(dir);
  const grey = new Uint8Array(30 * 24).map((_, v) => (v * 7) % 256);
  await writeImage(createImage(grey, [30, 24]), join(dir, '01_test.png'));
  mkdirSync(join(dir, 'gt'));
  await writeImage(
    createImage(
      new Uint8Array(30 * 24).map((_, v) => (v % 3 === 0 ? 255 : 0)),
      [30, 24],
    ),
    join(dir, 'gt', '01_manual1.png'),
  );
  const r = runCli(['predict', runDir, join(dir, '01_test.png'), '-o', join(dir, 'pred'), '--probabilities']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'pred', '01.png')) && existsSync(join(dir, 'pred', 'probabilities', '01.nii.gz')));
  const e = runCli([
    'evaluate',
    join(dir, 'pred'),
    join(dir, 'gt'),
    '--binary',
    '--prob',
    join(dir, 'pred', 'probabilities'),
    '--json',
    '--resamples',
    '10',
  ]);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /"auc"/);
});

test('bad input: one-line errors, exit 1, nothing written', async () => {
  const dir = tempDir();
  const runDir = writeRun(dir);
  const input = await writeInput(dir, 'scan.nii.gz', [30, 24, 1], [1, 1, 1]);
  const twoChannel = join(dir, 'two.nii.gz');
  await writeImage(createImage(new Float32Array(30 * 24 * 2).fill(1), [30, 24, 1, 2]), twoChannel);
  writeFileSync(join(dir, 'notes.xyz'), 'hello');
  const out = join(dir, 'out');
  const cases: Array<[string[], RegExp]> = [
    [['predict', join(dir, 'no-such-run'), input, '-o', out], /no-such-run: no such run folder/],
    [['predict', dir, input, '-o', out], /not a run folder/],
    [['predict', runDir, twoChannel, '-o', out], /2 channel\(s\), the model expects 1/],
    [['predict', runDir, join(dir, 'notes.xyz'), '-o', out], /notes\.xyz/],
    [['predict', runDir, join(dir, 'missing.nii.gz'), '-o', out], /missing\.nii\.gz: no such file/],
    [['predict', runDir, input, '-o', out, '--overlap', '1.5'], /--overlap/],
    [['predict', runDir, input, '-o', out, '--postprocess', 'smooth'], /--postprocess/],
    [['predict', runDir, input, '-o', out, '--format', 'jpg'], /--format/],
    [['predict', runDir, input, '-o', out, '--checkpoint', 'middle'], /--checkpoint/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    // progress lines may come first; the error is the last line, alone
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1)!, /^vesalius: /);
    assert.equal(lines.filter((l) => l.startsWith('vesalius:')).length, 1, r.stderr);
    assert.ok(
      lines.slice(0, -1).every((l) => l.startsWith('predict: case')),
      r.stderr,
    );
    assert.ok(!existsSync(out), `${args.join(' ')} wrote output`);
  }
});

test('--postprocess steps parse into the post-processing options', () => {
  assert.deepEqual(parsePostprocess('largest'), { keepLargest: true });
  assert.deepEqual(parsePostprocess('min-size=20,fill-holes'), { removeSmaller: 20, fillHoles: true });
  assert.deepEqual(parsePostprocess('none'), {});
  assert.equal(parsePostprocess(undefined), undefined);
  assert.throws(() => parsePostprocess('min-size=abc'), /--postprocess/);
});

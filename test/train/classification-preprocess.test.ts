// Fundus-style preprocessing through the CLI: green channel + histogram matching + CLAHE recorded in the
// run (the reference copied into it), so predict prepares images as training did even after the original
// reference is gone; colour jitter and shear in training; and the bad inputs, each one line.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { writePng } from '../../src/io/raster.js';
import { loadClassificationRun } from '../../src/train/classification/run.js';
import { inputSpec } from '../../src/train/classification/samples.js';
import { Random } from '../../src/util/random.js';
import { assertOneLineError, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** RGB 20×20 photographs; the class is a bright square in the green channel only. */
async function fundusFolders(root: string, perClass = 4): Promise<void> {
  const rng = new Random(8);
  const n = 20 * 20;
  for (const [c, name] of ['healthy', 'lesion'].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const data = new Uint8Array(3 * n);
      for (let i = 0; i < n; i++) {
        data[3 * i] = 150 + rng.int(40);
        data[3 * i + 1] = 60 + rng.int(30) + (c === 1 && i % 20 > 10 && i < 200 ? 90 : 0);
        data[3 * i + 2] = 20 + rng.int(20);
      }
      await writePng(createImage(data, [20, 20, 1, 3]), join(root, name, `eye${k}.png`));
    }
  }
}

function writeConfig(dir: string, input: string): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `task: classification
dataset: { format: folders, path: data }
input: { size: [16, 16], ${input}, mean: [0.5], std: [0.5] }
network: { architecture: resnet18, stem: small }
epochs: 1
batch_size: 4
validation: { folds: 2, fold: 0 }
augmentation:
  affine: { p: 0.5, shear_deg: [-10, 10] }
  color_jitter: { p: 0.5, brightness: 0.2, contrast: 0.2 }
threads: 2
output: run
`,
  );
  return path;
}

const oneLine = assertOneLineError;

test('green channel + histogram matching + CLAHE are recorded in the run and applied by predict', async () => {
  const dir = tempDir();
  await fundusFolders(join(dir, 'data'));
  const reference = join(dir, 'reference.png');
  const rng = new Random(1);
  await writePng(
    createImage(
      Uint8Array.from({ length: 3 * 400 }, () => rng.int(256)),
      [20, 20, 1, 3],
    ),
    reference,
  );
  const config = writeConfig(
    dir,
    'channels: green, histogram_match: reference.png, clahe: { tiles: [2, 2], clip_limit: 0.05 }',
  );
  const train = runCli(['train', config, '--no-progress', '--json'], { timeoutMs: 600_000 });
  assert.equal(train.status, 0, train.stderr);
  const run = join(dir, 'run');
  const recorded = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(recorded.input.clahe, { tiles: [2, 2], clip_limit: 0.05, bins: 256 });
  assert.equal(recorded.input.histogram_match, reference);
  assert.deepEqual(readFileSync(join(run, 'histogram-reference.png')), readFileSync(reference));

  const images = [join(dir, 'data', 'lesion', 'eye0.png'), join(dir, 'data', 'healthy', 'eye1.png')];
  const before = runCli(['predict', run, ...images, '-o', join(dir, 'before.csv')]);
  assert.equal(before.status, 0, before.stderr);
  rmSync(reference);
  const loaded = loadClassificationRun(run);
  assert.equal(loaded.config.input.histogram_match, join(run, 'histogram-reference.png'));
  const spec = await inputSpec(loaded.config);
  assert.deepEqual(spec.clahe, { tiles: [2, 2], clipLimit: 0.05, bins: 256 });
  assert.equal(spec.histogramMatch?.channels.length, 1);
  const after = runCli(['predict', run, ...images, '-o', join(dir, 'after.csv')]);
  assert.equal(after.status, 0, after.stderr);
  assert.equal(readFileSync(join(dir, 'after.csv'), 'utf8'), readFileSync(join(dir, 'before.csv'), 'utf8'));
  assert.ok(existsSync(join(run, 'checkpoints', 'last.safetensors')));
});

test('bad preprocessing input is one line naming the option or file', async () => {
  const dir = tempDir();
  await fundusFolders(join(dir, 'data'), 2);
  oneLine(
    runCli(['train', writeConfig(dir, 'channels: green, histogram_match: missing.png'), '--no-progress']),
    /missing\.png: not found \(input\.histogram_match\)/,
  );
  writeFileSync(join(dir, 'broken.png'), 'not an image');
  oneLine(
    runCli(['train', writeConfig(dir, 'channels: green, histogram_match: broken.png'), '--no-progress']),
    /broken\.png: cannot be read as an image \(input\.histogram_match\)/,
  );
  oneLine(
    runCli(['train', writeConfig(dir, 'channels: green, clahe: { clip_limit: 2 }'), '--no-progress']),
    /input\.clahe\.clip_limit/,
  );
  oneLine(
    runCli(['train', writeConfig(dir, 'channels: green, clahe: { tiles: [0, 8] }'), '--no-progress']),
    /input\.clahe\.tiles/,
  );
  const grey = join(dir, 'grey');
  mkdirSync(join(grey, 'a'), { recursive: true });
  mkdirSync(join(grey, 'b'), { recursive: true });
  for (const c of ['a', 'b'])
    for (let k = 0; k < 2; k++)
      await writePng(createImage(new Uint8Array(400).fill(50 + k), [20, 20, 1]), join(grey, c, `x${k}.png`));
  const greyConfig = writeConfig(dir, 'channels: green');
  writeFileSync(greyConfig, readFileSync(greyConfig, 'utf8').replace('path: data', 'path: grey'));
  oneLine(
    runCli(['train', greyConfig, '--no-progress']),
    /input\.channels: 'green' needs an RGB image, but .*grey\/[ab]\/x[01]\.png has 1 channel\(s\)/,
  );
});

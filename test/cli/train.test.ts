import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { runCli } from '../helpers/cli.js';
import { configText, diskFixture } from '../train/fixture.js';

test('vesalius train: trains a tiny dataset into a run folder, stops resumably, resumes to the end', async () => {
  const f = await diskFixture();
  const run = join(f.dir, 'run');
  const first = runCli(['train', f.config, '--stop-after', '1', '--json', '--workers', '1']);
  assert.equal(first.status, 0, first.stderr);
  const summary = JSON.parse(first.stdout);
  assert.equal(summary.epochsDone, 1);
  assert.equal(summary.runDir, run);
  assert.match(first.stderr, /epoch 1\/3 .*\| 2\/6 it \| loss \d\.\d{4} \| lr \d\.\d\de-\d \| [\d.]+ img\/s \| ETA/);
  assert.match(
    first.stderr,
    /epoch 1\/3: loss [\d.]+, lr [\d.e+-]+, [\d.]+ img\/s, waited [\d.]+ s for data, val loss [\d.]+, val Dice [\d.]+ \(best\)/,
  );
  assert.deepEqual(readdirSync(join(run, 'checkpoints')).sort(), [
    'best.safetensors',
    'last.optim.safetensors',
    'last.safetensors',
    'last.state.json',
  ]);
  const again = runCli(['train', f.config]);
  assert.equal(again.status, 1);
  assert.match(
    again.stderr,
    /^vesalius: .*already holds a training run; continue it with --resume or choose another folder with --out\n$/,
  );
  const resumed = runCli(['train', f.config, '--resume', '--json', '--no-progress', '--workers', '1']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const end = JSON.parse(resumed.stdout);
  assert.equal(end.epochsDone, 3);
  assert.equal(end.iterations, 6);
  assert.equal(end.last.epoch, 3);
  assert.match(resumed.stderr, /resuming .* after epoch 1 \(iteration 2\)/);
  const other = runCli(['train', f.config, '--out', join(f.dir, 'other'), '--stop-after', 'x']);
  assert.equal(other.status, 1);
  assert.match(other.stderr, /^vesalius: --stop-after: must be a positive integer, got 'x'\n$/);
});

test('vesalius train: bad input is one line before any training (unknown key, label outside the classes, mismatched grids, empty dataset)', async () => {
  const f = await diskFixture('', 2);
  const data = join(f.dir, 'data');
  const cases: Array<[string, () => Promise<void> | void, RegExp]> = [
    [
      'unknown key',
      () => writeFileSync(f.config, configText(data, join(f.dir, 'run'), 'epochz: 3')),
      /config\.yaml: epochz: unknown key$/,
    ],
    [
      'label outside the classes',
      async () => {
        writeFileSync(f.config, configText(data, join(f.dir, 'run')));
        const label = new Uint8Array(32 * 32);
        label[5] = 3;
        await writeImage(createImage(label, [32, 32, 1]), join(data, 'labels', 'case01.nii.gz'));
      },
      /case01\.nii\.gz: label values 3 are not declared classes \(0, 1\)$/,
    ],
    [
      'mismatched grids',
      async () => {
        await writeImage(createImage(new Uint8Array(32 * 30), [32, 30, 1]), join(data, 'labels', 'case01.nii.gz'));
      },
      /case01\.nii\.gz: grid 32×30×1 does not match .*case01\.nii\.gz \(32×32×1\)$/,
    ],
    [
      'empty dataset',
      () => {
        rmSync(join(data, 'images'), { recursive: true });
        mkdirSync(join(data, 'images'));
      },
      /images: no file matches dataset\.images\.pattern .* \(empty dataset\)$/,
    ],
  ];
  for (const [name, setup, message] of cases) {
    await setup();
    const r = runCli(['train', f.config]);
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('vesalius:'));
    assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
    assert.match(lines[0]!, message, name);
    assert.ok(!existsSync(join(f.dir, 'run', 'checkpoints')), `${name}: a run folder was written`);
  }
});

// train → predict → evaluate for a detection config, through the command line, on a tiny VOC dataset
// of bright squares (a few seconds of training: this checks the plumbing, not the accuracy).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { Random } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { tempTree } from '../helpers/tmp.js';

async function squares(): Promise<{ root: string; gt: Record<string, number[][]> }> {
  const root = tempTree({ 'Annotations/.keep': '', 'ImageSets/Main/.keep': '' });
  const rng = new Random(4);
  const gt: Record<string, number[][]> = {};
  const ids = ['s0', 's1', 's2', 's3', 's4', 's5'];
  for (const id of ids) {
    const data = new Uint8Array(64 * 64).map(() => 20 + rng.int(20));
    const boxes: number[][] = [];
    for (let n = 0; n < 2; n++) {
      const s = 10 + rng.int(8),
        x = rng.int(64 - s - 1) + 1,
        y = n === 0 ? rng.int(20) + 1 : 32 + rng.int(31 - s);
      for (let j = y - 1; j < y - 1 + s; j++) for (let i = x - 1; i < x - 1 + s; i++) data[i + 64 * j] = 220;
      boxes.push([x, y, x + s - 1, y + s - 1]);
    }
    gt[id] = boxes;
    await writeImage(createImage(data, [64, 64]), join(root, 'JPEGImages', `${id}.png`));
    const objects = boxes
      .map(
        (b) =>
          `<object><name>spot</name><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`,
      )
      .join('');
    writeFileSync(
      join(root, 'Annotations', `${id}.xml`),
      `<annotation><filename>${id}.png</filename><size><width>64</width><height>64</height></size>${objects}</annotation>`,
    );
  }
  writeFileSync(join(root, 'ImageSets', 'Main', 'train.txt'), `${ids.slice(0, 4).join('\n')}\n`);
  writeFileSync(join(root, 'ImageSets', 'Main', 'val.txt'), `${ids.slice(4).join('\n')}\n`);
  return { root, gt };
}

test('detection from the command line: train a tiny RetinaNet, predict boxes (JSON, CSV, overlay), evaluate with COCO AP and FROC', async () => {
  const { root } = await squares();
  const config = {
    task: 'detection',
    dataset: { format: 'voc', root, train: 'train', val: 'val', classes: ['spot'] },
    preprocess: { normalization: 'rgb_to_0_1' },
    network: {
      widths: [8, 8, 16, 16],
      fpn_channels: 8,
      head_convs: 1,
      extra_levels: 'none',
      anchor_sizes: [
        [12, 16],
        [24, 32],
        [48, 64],
      ],
    },
    optimizer: { name: 'adamw', lr: 0.003 },
    epochs: 2,
    iterations_per_epoch: 2,
    batch_size: 2,
    validation: { every: 1 },
    augmentation: { rotation: { p: 0 } },
    output: join(root, 'run'),
  };
  const configPath = join(root, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const train = runCli(['train', configPath, '--json'], { timeoutMs: 240_000 });
  assert.equal(train.status, 0, train.stderr);
  const summary = JSON.parse(train.stdout) as { epochsDone: number; last: { val_map50: number } };
  assert.equal(summary.epochsDone, 2);
  assert.ok(summary.last.val_map50 >= 0 && summary.last.val_map50 <= 1);
  assert.ok(existsSync(join(root, 'run', 'checkpoints', 'best.safetensors')));

  const out = join(root, 'pred');
  const images = ['s4', 's5'].map((id) => join(root, 'JPEGImages', `${id}.png`));
  const predict = runCli(['predict', join(root, 'run'), ...images, '-o', out], { timeoutMs: 120_000 });
  assert.equal(predict.status, 0, predict.stderr);
  for (const id of ['s4', 's5'])
    for (const ext of ['json', 'csv', 'png']) assert.ok(existsSync(join(out, `${id}.${ext}`)), `${id}.${ext}`);
  const json = JSON.parse(readFileSync(join(out, 's4.json'), 'utf8')) as {
    detections: Array<{ voxel: number[]; patient: number[] }>;
  };
  for (const d of json.detections) {
    // a raster's geometry is the pixel grid: patient = voxel edge − ½ (z = 0)
    assert.deepEqual(
      d.patient.map((v) => Math.round(v * 100) / 100),
      [d.voxel[0]! - 0.5, d.voxel[1]! - 0.5, 0, d.voxel[2]! - 0.5, d.voxel[3]! - 0.5, 0].map(
        (v) => Math.round(v * 100) / 100,
      ),
    );
  }
  assert.match(
    readFileSync(join(out, 's4.csv'), 'utf8').split('\n')[0]!,
    /^case,class,score,x1,y1,x2,y2,L1,P1,S1,L2,P2,S2$/,
  );

  const evaluate = runCli(['evaluate', out, root, '--detection', '--split', 'val', '--json', '--resamples', '200']);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const s = JSON.parse(evaluate.stdout) as {
    cases: number;
    objects: Record<string, number>;
    map50: number;
    froc: { cpm: number };
  };
  assert.equal(s.cases, 2);
  assert.deepEqual(s.objects, { spot: 4 });
  assert.ok(s.map50 >= 0 && s.map50 <= 1 && s.froc.cpm >= 0);
  assert.ok(existsSync(join(out, 'evaluation', 'per_case.csv')));

  // predictions of an undeclared class: one line naming the file, exit 1
  writeFileSync(
    join(out, 's5.json'),
    JSON.stringify({ case: 's5', dims: 2, detections: [{ class: 'blob', score: 0.9, voxel: [1, 1, 5, 5] }] }),
  );
  const bad = runCli(['evaluate', out, root, '--detection', '--split', 'val']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /s5\.json: class 'blob' is not one of spot/);
  // elastic deformation cannot carry boxes: refused before anything is read
  writeFileSync(configPath, JSON.stringify({ ...config, augmentation: { elastic: { p: 0.2 } } }));
  const refused = runCli(['train', configPath]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /boxes cannot follow deformations/);
});

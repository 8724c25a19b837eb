/**
 * 3D lesion detection, scored with FROC: spheres of known centre and diameter (18–36 mm, +250 HU,
 * soft edges) are inserted at random into copies of a real CT (TotalSegmentator's example, 3 mm,
 * direction flipped in x and y), their centres and diameters written in LUNA16's convention (world
 * mm, annotations.csv); a small 3D RetinaNet is trained on the training scans through the LUNA16
 * reader (so every box comes through each image's geometry) and scored on held-out scans with FROC
 * (hit: the predicted centre within the sphere's radius, as LUNA16) and AP@0.1. Real data from
 * ../shared/data; prints a table.
 *
 *   npx tsx bench/detect-3d.ts [--train 16] [--test 8] [--epochs 30] [--iterations 20] [--batch 4] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { indexToWorld } from '../src/io/geometry.js';
import { createImage } from '../src/io/image.js';
import { readImage } from '../src/io/read.js';
import { writeImage } from '../src/io/write.js';
import { type EpochLog, train } from '../src/train/trainer.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: '16' },
    test: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '30' },
    iterations: { type: 'string', default: '20' },
    batch: { type: 'string', default: '4' },
    out: { type: 'string', default: join(tmpdir(), 'vesalius-detect-3d') },
    ct: {
      type: 'string',
      default: join(
        import.meta.dirname,
        '..',
        '..',
        'shared',
        'data',
        'nifti-samples',
        'totalsegmentator',
        'example_ct_sm.nii.gz',
      ),
    },
  },
});
const root = values.out;
const ct = await readImage(values.ct);
const [ni, nj, nk] = ct.shape as [number, number, number];
const rng = new Random(2026);

async function makeSplit(name: string, scans: number): Promise<number> {
  const dir = join(root, name);
  mkdirSync(join(dir, 'images'), { recursive: true });
  const rows = ['seriesuid,coordX,coordY,coordZ,diameter_mm'];
  let lesions = 0;
  for (let s = 0; s < scans; s++) {
    const data = Float32Array.from(ct.data, (v) => v + rng.normal() * 10);
    const count = rng.int(4); // 0–3 lesions; scans without any count for false positives
    for (let l = 0; l < count; l++) {
      const d = rng.uniform(18, 36);
      const r = d / 2;
      const margin = r / 3 + 1;
      const c = [rng.uniform(margin, ni - margin), rng.uniform(margin, nj - margin), rng.uniform(margin, nk - margin)];
      for (let k = 0; k < nk; k++)
        for (let j = 0; j < nj; j++)
          for (let i = 0; i < ni; i++) {
            const dist = Math.hypot((i - c[0]!) * 3, (j - c[1]!) * 3, (k - c[2]!) * 3);
            const w = Math.min(1, Math.max(0, r - dist + 0.5));
            if (w > 0) data[i + ni * (j + nj * k)]! += 250 * w;
          }
      const world = indexToWorld(ct, c);
      rows.push(`${name}${s},${world.join(',')},${d}`);
      lesions++;
    }
    await writeImage(createImage(data, ct.shape, ct), join(dir, 'images', `${name}${s}.nii.gz`));
  }
  writeFileSync(join(dir, 'annotations.csv'), `${rows.join('\n')}\n`);
  return lesions;
}

const trainLesions = await makeSplit('train', Number(values.train));
const testLesions = await makeSplit('test', Number(values.test));
const config = {
  task: 'detection',
  dataset: {
    format: 'luna16',
    root,
    train: 'train/annotations.csv',
    val: 'test/annotations.csv',
    images: 'images',
    dims: 3,
    classes: ['lesion'],
  },
  preprocess: { normalization: 'zscore' },
  network: {
    head: 'retinanet',
    depth: 18,
    widths: [8, 16, 32, 64],
    returned_layers: [1, 2],
    extra_levels: 'none',
    fpn_channels: 16,
    head_convs: 1,
    anchor_sizes: [[6, 9], [12]],
  },
  matching: { method: 'atss' },
  loss: { box: 'giou' },
  optimizer: { name: 'adamw', lr: 0.002, weight_decay: 0.0001, clip_grad_norm: 10, ema_decay: 0.99 },
  schedule: { name: 'cosine', warmup_epochs: 1 },
  epochs: Number(values.epochs),
  iterations_per_epoch: Number(values.iterations),
  batch_size: Number(values.batch),
  patch_size: [24, 64, 64],
  augmentation: {
    rotation: { p: 0 },
    scaling: { p: 0 },
    low_resolution: { p: 0 },
    gamma_inverted: { p: 0 },
    gaussian_blur: { p: 0 },
    mirror: { p: 0.5 },
  },
  sampling: { object_fraction: 0.7, empty_fraction: 0.2 },
  validation: { every: 5, metric: 'cpm', froc_hit: 'centre_in_ellipsoid' },
  inference: { score_threshold: 0.05, detections_per_image: 50 },
  output: join(root, 'run'),
};
// anchors: stride 4 and 8 levels of a 3 mm volume: 6–12 voxels = 18–36 mm
config.network.anchor_sizes = [
  [6, 9],
  [12, 16],
];
writeFileSync(join(root, 'config.json'), JSON.stringify(config, null, 2));
const started = performance.now();
const result = await train(join(root, 'config.json'), { progress: false });
const log = result.log as Array<
  EpochLog & { val_cpm?: number; val_froc?: number[]; val_map10?: number; val_map50?: number }
>;
const minutes = (performance.now() - started) / 60000;
const best = log.filter((e) => e.val_cpm !== undefined).sort((a, b) => b.val_cpm! - a.val_cpm!)[0];
console.log(
  `\n3D spheres in CT: ${values.train} training scans (${trainLesions} lesions), ${values.test} test scans (${testLesions} lesions), ${minutes.toFixed(1)} min\n`,
);
console.log(
  '| epoch | sens. @ 1/8, 1/4, 1/2, 1, 2, 4, 8 FP/scan | CPM | AP@0.1 | AP@0.5 |\n| --- | --- | --- | --- | --- |',
);
for (const e of log.filter((x) => x.val_cpm !== undefined))
  console.log(
    `| ${e.epoch} | ${(e.val_froc ?? []).map((v) => v.toFixed(2)).join(', ')} | ${e.val_cpm!.toFixed(3)} | ${e.val_map10?.toFixed(3)} | ${e.val_map50!.toFixed(3)} |`,
  );
console.log(`\nbest CPM ${best?.val_cpm?.toFixed(3)} at epoch ${best?.epoch}`);

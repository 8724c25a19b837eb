/**
 * A small trained run folder for end-to-end tests (predict → SEG/SR, PACS run): the existing trainer on
 * bright disks (class "nodule") in noise, 2D, a few dozen steps, and a DICOM CT series of such disks for
 * it to find. The disks are easy: a network this small finds them after ~50 steps.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../../src/train/trainer.js';
import { writeDiskDataset } from '../train/fixture.js';
import { type WrittenSeries, writeSeries } from './dicom-series.js';

export async function trainTinyDiskRun(dir: string): Promise<string> {
  await writeDiskDataset(join(dir, 'data'), 6, 32, 3);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `dataset:
  layout: folders
  root: ${JSON.stringify(join(dir, 'data'))}
  classes: { background: 0, nodule: 1 }
  images: { dir: images }
  labels: { dir: labels }
plan: { patch_size: [32, 32], batch_size: 4, pools_per_axis: [2, 2], features_per_stage: [4, 8, 16] }
epochs: 20
iterations_per_epoch: 5
validation: { every: 1000, fold: all }
optimizer: { name: adam, lr: 0.02 }
augmentation: { low_resolution: { p: 0 } }
threads: 1
seed: 1
output: ${JSON.stringify(join(dir, 'run'))}
`,
  );
  await train(config, { progress: false, workers: 1 });
  return join(dir, 'run');
}

/** A CT series (32×32, `slices` slices) with a disk of value ~160 in ~100 on every slice (as every training image has one). */
export function writeDiskSeries(
  dir: string,
  slices = 6,
  extra: { patientName?: string; patientId?: string } = {},
): WrittenSeries {
  return writeSeries(dir, {
    rows: 32,
    columns: 32,
    slices,
    row: [1, 0, 0],
    column: [0, 1, 0],
    pixelSpacing: [1, 1],
    step: 2,
    origin: [20, -16, 40],
    pixel: (c, r, k) => 100 + ((c - 12) ** 2 + (r - 14) ** 2 < 30 ? 60 : 0) + ((c * 7 + r * 13 + k * 5) % 11) - 5,
    ...extra,
  });
}

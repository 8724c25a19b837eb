/**
 * A tiny synthetic 2D dataset written as NIfTI files: bright disks (class 1) on a noisy background,
 * one image + label per case, and a training config over it (YAML) with small, fast settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { Random } from '../../src/util/random.js';

export interface Fixture {
  dir: string;
  config: string;
}

export async function writeDiskDataset(dir: string, cases = 4, size = 32, seed = 1): Promise<void> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'labels'), { recursive: true });
  const rng = new Random(seed);
  for (let c = 0; c < cases; c++) {
    const image = new Float32Array(size * size);
    const label = new Uint8Array(size * size);
    const cx = size * (0.3 + 0.4 * rng.next()),
      cy = size * (0.3 + 0.4 * rng.next()),
      r = size * (0.12 + 0.1 * rng.next());
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const inside = (i - cx) ** 2 + (j - cy) ** 2 < r * r;
        label[i + size * j] = inside ? 1 : 0;
        image[i + size * j] = 100 + (inside ? 60 : 0) + 20 * (rng.next() - 0.5);
      }
    }
    const id = `case${String(c).padStart(2, '0')}`;
    await writeImage(createImage(image, [size, size, 1]), join(dir, 'images', `${id}.nii.gz`));
    await writeImage(createImage(label, [size, size, 1]), join(dir, 'labels', `${id}.nii.gz`));
  }
}

/** Config YAML text; `extra` lines are appended (top-level keys). */
export function configText(dataRoot: string, output: string, extra = ''): string {
  return `dataset:
  layout: folders
  root: ${JSON.stringify(dataRoot)}
  classes: { background: 0, disk: 1 }
  images: { dir: images }
  labels: { dir: labels }
plan: { patch_size: [16, 16], batch_size: 2, pools_per_axis: [2, 2], features_per_stage: [4, 8, 16] }
network: { deep_supervision: true }
epochs: 3
iterations_per_epoch: 2
validation: { every: 1, folds: 2, fold: 0 }
optimizer: { name: adam, lr: 0.01 }
schedule: { name: cosine }
augmentation: { low_resolution: { p: 0 } }
threads: 1
output: ${JSON.stringify(output)}
${extra}`;
}

export async function diskFixture(extra = '', cases = 4): Promise<Fixture> {
  const dir = tempDir('vesalius-train-');
  await writeDiskDataset(join(dir, 'data'), cases);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, configText(join(dir, 'data'), join(dir, 'run'), extra));
  return { dir, config };
}

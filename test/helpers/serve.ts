/**
 * Fixtures for the serving tests: a Redis of their own (Debian's redis-server on a Unix socket in a
 * temporary folder), a tiny trained model (a 2D U-Net that learns bright disks in a few seconds, with
 * the trainer, so its run folder has a fingerprint like any run), and disk images to send it.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { readSafetensorsFile, writeSafetensors } from '../../src/engine/safetensors.js';
import { Tensor } from '../../src/engine/tensor.js';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { startLocalRedis, type LocalRedis } from '../../src/serve/redis.js';
import { train } from '../../src/train/trainer.js';
import { Random } from '../../src/util/random.js';
import { configText, writeDiskDataset } from '../train/fixture.js';
import { hasCommand, needsReference } from './reference.js';
import { tempDir } from './tmp.js';

export const hasRedis = hasCommand('redis-server');
/** node:test option for tests that need redis-server (skipped on a developer machine without it, a failure under CI). */
export const redisReference = needsReference(hasRedis, 'redis-server (Debian package redis-server)');

const started: LocalRedis[] = [];
after(async () => {
  for (const r of started) await r.stop();
});

/** A fresh Redis for this test file, stopped when it ends. */
export async function testRedis(): Promise<LocalRedis> {
  const redis = await startLocalRedis(join(tempDir('vesalius-redis-'), 'r'));
  started.push(redis);
  return redis;
}

/**
 * Trains the disk model into `models/disks` (a folder holding one run) and returns the models folder.
 * 80 steps (default) of an 8-16-32 U-Net on whole 32×32 images segment the disks with a Dice near 0.99.
 */
export async function tinyModels(
  options: { cases?: number; iterations?: number; dropout?: number; channel?: string } = {},
): Promise<string> {
  const dir = tempDir('vesalius-models-');
  const data = join(dir, 'data');
  await writeDiskDataset(data, options.cases ?? 8);
  const models = join(dir, 'models');
  mkdirSync(models);
  const config = join(dir, 'config.yaml');
  // one disk per image: keeping the largest component is the right post-processing (run config)
  const extra = `network: { deep_supervision: false, dropout: ${options.dropout ?? 0} }\ninference: { keep_largest: true }\n`;
  writeFileSync(
    config,
    configText(data, join(models, 'disks'), '')
      .replace('layout: folders', `layout: folders\n  channels: [${options.channel ?? 'MR'}]`)
      // the whole 32×32 image as the patch: 80 steps give a test Dice near 0.99
      .replace(
        /plan: .*\n/,
        'plan: { patch_size: [32, 32], batch_size: 4, pools_per_axis: [2, 2], features_per_stage: [8, 16, 32] }\n',
      )
      .replace('network: { deep_supervision: true }\n', extra)
      .replace('epochs: 3', 'epochs: 4')
      .replace('iterations_per_epoch: 2', `iterations_per_epoch: ${Math.ceil((options.iterations ?? 80) / 4)}`)
      .replace('validation: { every: 1, folds: 2, fold: 0 }', 'validation: { every: 4, folds: 4, fold: 0 }'),
  );
  await train(config, { progress: false, workers: 1 });
  return models;
}

/** A 32×32 disk image like the training data (intensity ×`scale` + `offset` to shift it), as NIfTI bytes on disk. */
export async function diskImage(
  dir: string,
  name: string,
  seed: number,
  shift: { scale?: number; offset?: number; spacing?: number } = {},
): Promise<string> {
  const size = 32;
  const rng = new Random(seed);
  const image = new Float32Array(size * size);
  const cx = size * (0.3 + 0.4 * rng.next());
  const cy = size * (0.3 + 0.4 * rng.next());
  const r = size * (0.12 + 0.1 * rng.next());
  for (let j = 0; j < size; j++)
    for (let i = 0; i < size; i++) {
      const inside = (i - cx) ** 2 + (j - cy) ** 2 < r * r;
      const v = 100 + (inside ? 60 : 0) + 20 * (rng.next() - 0.5);
      image[i + size * j] = v * (shift.scale ?? 1) + (shift.offset ?? 0);
    }
  const s = shift.spacing ?? 1;
  const path = join(dir, name);
  await writeImage(createImage(image, [size, size, 1], { spacing: [s, s, 1] }), path);
  return path;
}

/**
 * A copy of a models folder's run whose two output classes are swapped (the segmentation head's
 * channels exchanged): the same image, the opposite prediction.
 */
export function swappedModel(models: string, from: string, to: string): void {
  cpSync(join(models, from), join(models, to), { recursive: true });
  for (const name of ['best', 'last']) {
    const path = join(models, to, 'checkpoints', `${name}.safetensors`);
    if (!existsSync(path)) continue;
    const { tensors, metadata } = readSafetensorsFile(path);
    const out = new Map<string, Tensor>();
    for (const [key, t] of Object.entries(tensors)) {
      if (!/^decoder\.seg_layers\.\d+\.(weight|bias)$/.test(key)) {
        out.set(key, t);
        continue;
      }
      const values = t.toArray() as Float32Array;
      const half = values.length / 2;
      const swapped = new Float32Array(values.length);
      swapped.set(values.subarray(half), 0);
      swapped.set(values.subarray(0, half), half);
      out.set(key, Tensor.from(swapped, t.shape));
    }
    writeSafetensors(path, out, metadata);
  }
}

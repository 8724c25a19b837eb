/**
 * Fixtures for the serving tests: a Redis of their own (Debian's redis-server on a Unix socket in a
 * temporary folder), a tiny trained model (a 2D U-Net that learns bright disks in a few seconds, with
 * the trainer, so its run folder has a fingerprint like any run), and disk images to send it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
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
 * About 40 steps of a 4-8-16 U-Net on 32×32 images: enough to segment bright disks.
 */
export async function tinyModels(
  options: { cases?: number; iterations?: number; dropout?: number } = {},
): Promise<string> {
  const dir = tempDir('vesalius-models-');
  const data = join(dir, 'data');
  await writeDiskDataset(data, options.cases ?? 8);
  const models = join(dir, 'models');
  mkdirSync(models);
  const config = join(dir, 'config.yaml');
  const extra = `network: { deep_supervision: false, dropout: ${options.dropout ?? 0} }\n`;
  writeFileSync(
    config,
    configText(data, join(models, 'disks'), '')
      .replace('network: { deep_supervision: true }\n', extra)
      .replace('epochs: 3', 'epochs: 4')
      .replace('iterations_per_epoch: 2', `iterations_per_epoch: ${Math.ceil((options.iterations ?? 40) / 4)}`)
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

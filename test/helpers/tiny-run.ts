/**
 * A run folder in the trainer's format without training: a small U-Net (2D or 3D) with seeded random
 * weights, its config, plan and dataset info, and synthetic input images with blobs, for tests of
 * what consumes runs (predict, quantize, export).
 */
import { join } from 'node:path';
import { planSchema } from '../../src/data/plan.js';
import { manualSeed } from '../../src/engine/random.js';
import { createImage } from '../../src/io/image.js';
import { writeImage } from '../../src/io/write.js';
import { parseConfig } from '../../src/train/config.js';
import { buildModel } from '../../src/train/model.js';
import { runPaths, saveCheckpoint, writeRunSetup } from '../../src/train/run-folder.js';

export interface TinyRunOptions {
  dims?: 2 | 3;
  features?: number[];
  channels?: number;
  seed?: number;
  /** network section of the config (norm, residual, attention, ...) */
  network?: Record<string, unknown>;
}

export function writeTinyRun(dir: string, o: TinyRunOptions = {}): string {
  const dims = o.dims ?? 2;
  const features = o.features ?? [4, 8, 16];
  const channels = o.channels ?? 1;
  const runDir = join(dir, `run${dims}d`);
  const patch = dims === 2 ? [16, 16] : [16, 16, 8];
  const pools = features.length - 1;
  const stride = (s: number) => new Array<number>(dims).fill(s === 0 ? 1 : 2);
  const config = parseConfig({
    dataset: {
      layout: 'folders',
      root: dir,
      classes: { background: 0, blob: 1 },
      images: { dir: 'images' },
      labels: { dir: 'labels' },
    },
    plan: { patch_size: patch, batch_size: 2, pools_per_axis: patch.map(() => pools), features_per_stage: features },
    network: { deep_supervision: false, ...(o.network ?? {}) },
  });
  const channelNames = Array.from({ length: channels }, (_, c) => `MR${c}`);
  const plan = planSchema.parse({
    dataset: 'blobs',
    dimension: dims === 2 ? '2d' : '3d',
    axis_order: 'ijk',
    channels: channelNames,
    num_classes: 2,
    target_spacing: new Array<number>(dims).fill(1),
    original_median_spacing: new Array<number>(dims).fill(1),
    median_shape: dims === 2 ? [30, 24] : [30, 24, 12],
    patch_size: patch,
    batch_size: 2,
    pools_per_axis: patch.map(() => pools),
    pool_kernel_sizes: Array.from({ length: features.length }, (_, s) => stride(s)),
    conv_kernel_sizes: features.map(() => new Array<number>(dims).fill(3)),
    features_per_stage: features,
    normalization: channelNames.map(() => 'zscore'),
    use_mask_for_norm: channelNames.map(() => false),
    foreground_intensity: channelNames.map((name) => ({
      name,
      mean: 0,
      median: 0,
      std: 1,
      min: -1,
      max: 1,
      percentile_00_5: -1,
      percentile_99_5: 1,
    })),
    memory: { budget_bytes: 1, estimated_bytes_per_sample: 1 },
    overridden: [],
  });
  const datasetInfo = {
    labels: [
      { name: 'background', value: 0 },
      { name: 'blob', value: 1 },
    ],
    channels: channelNames,
    numClasses: 2,
  };
  writeRunSetup(runDir, { config, plan, datasetInfo, splits: [{ train: ['a'], val: [] }] });
  manualSeed(o.seed ?? 1);
  const model = buildModel(config, plan, channels, 2);
  saveCheckpoint(runPaths(runDir).best, model, { epoch: 1, metric: 0.5 });
  model.dispose();
  return runDir;
}

/** A synthetic image with a bright blob (NIfTI), of the run's kind: [30, 24] or [30, 24, 12]. */
export async function writeBlobImage(dir: string, name: string, dims: 2 | 3, seed = 0): Promise<string> {
  const shape = dims === 2 ? [30, 24, 1] : [30, 24, 12];
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const [cx, cy, cz] = [10 + (seed % 7), 9 + (seed % 5), 5];
  for (let k = 0; k < shape[2]!; k++)
    for (let j = 0; j < shape[1]!; j++)
      for (let i = 0; i < shape[0]!; i++) {
        const r2 = (i - cx) ** 2 + (j - cy) ** 2 + (dims === 3 ? (k - cz) ** 2 : 0);
        data[i + shape[0]! * (j + shape[1]! * k)] =
          (r2 < 25 ? 80 : 10) + 10 * Math.sin(i * 0.7 + j * 1.3 + k * 0.5 + seed);
      }
  const path = join(dir, name);
  await writeImage(createImage(data, shape, { spacing: [1, 1, 1] }), path);
  return path;
}

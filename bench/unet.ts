/**
 * Forward (with the Dice+CE loss) and backward time of the default UNet (nnU-Net's PlainConvUNet:
 * 32-64-128-256-512 in 2D, …-320 in 3D, instance norm, leaky ReLU, strided convolutions), by default
 * 2D on a batch of 8×1×128×128, in
 * Vesalius and in PyTorch (bench/unet_torch.py, Debian's python3-torch) with the same thread count.
 * Medians over the timed steps. Run it on an otherwise idle machine: with more runnable jobs than
 * cores, every multi-threaded op waits for a time slice and the numbers mean little.
 *
 *   npx tsx bench/unet.ts [--threads 2] [--dims 2] [--channels 1] [--batch 8] [--size 128] [--steps 10] [--warmup 2] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ve from '../src/engine/index.js';
import { DiceCELoss } from '../src/losses/index.js';
import { UNet } from '../src/nets/index.js';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    dims: { type: 'string', default: '2' },
    channels: { type: 'string', default: '1' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '128' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

ve.setNumThreads(Number(args.threads));
ve.manualSeed(0);
const batch = Number(args.batch),
  size = Number(args.size),
  channels = Number(args.channels);
const dims = Number(args.dims) === 3 ? 3 : 2;
const spatial = new Array<number>(dims).fill(size);
const net = new UNet({ spatialDims: dims, inChannels: channels, numClasses: 2 });
const loss = new DiceCELoss();
const x = ve.randn([batch, channels, ...spatial]);
const y = ve.randint(0, 2, [batch, 1, ...spatial]);
const fwd: number[] = [],
  bwd: number[] = [];
for (let step = 0; step < Number(args.warmup) + Number(args.steps); step++) {
  ve.tidy(() => {
    net.zeroGrad();
    const t0 = performance.now();
    const l = loss.forward(net.forward(x) as ve.Tensor, y);
    const t1 = performance.now();
    l.backward();
    const t2 = performance.now();
    if (step >= Number(args.warmup)) {
      fwd.push(t1 - t0);
      bwd.push(t2 - t1);
    }
  });
}
const results: unknown[] = [
  {
    impl: 'vesalius',
    input: [batch, channels, ...spatial],
    threads: ve.getNumThreads(),
    params: net.numParameters(),
    forwardMs: median(fwd),
    backwardMs: median(bwd),
  },
];
if (!args['no-torch']) {
  const here = dirname(fileURLToPath(import.meta.url));
  const py = spawnSync(
    process.env.VESALIUS_TORCH_PYTHON ?? '/usr/bin/python3',
    [
      join(here, 'unet_torch.py'),
      '--threads',
      String(args.threads),
      '--dims',
      String(dims),
      '--channels',
      String(channels),
      '--batch',
      String(batch),
      '--size',
      String(size),
      '--steps',
      String(args.steps),
      '--warmup',
      String(args.warmup),
    ],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) throw new Error(`PyTorch side failed: ${py.stderr}`);
  results.push(JSON.parse(py.stdout.trim().split('\n').at(-1)!));
}
for (const r of results) console.log(JSON.stringify(r));

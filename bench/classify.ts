/**
 * Classification training throughput: images per second of the training step (forward, cross-entropy,
 * backward, Adam) of ResNet-18 — 2D at 224² (ImageNet stem) and 28² (MedMNIST's 3×3/1 stem), and 3D —
 * against torchvision's same network in PyTorch (bench/classify_torch.py; Debian's python3-torch and
 * python3-torchvision), run in the same invocation with the same threads, batch and input, each the
 * median step over `steps` after `warmup`. A fixed random batch: the speed does not depend on the content.
 *
 *   npx tsx bench/classify.ts [--threads 2] [--steps 6] [--warmup 2] [--rounds 1] [--only 28|224|3d]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ve from '../src/engine/index.js';
import { ResNet } from '../src/nets/resnet.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    steps: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const threads = Number(values.threads),
  steps = Number(values.steps),
  warmup = Number(values.warmup),
  rounds = Number(values.rounds);

interface Case {
  name: string;
  dims: 2 | 3;
  size: number;
  batch: number;
  stem: 'imagenet' | 'small';
}
const CASES: Case[] = [
  { name: '28', dims: 2, size: 28, batch: 128, stem: 'small' },
  { name: '224', dims: 2, size: 224, batch: 16, stem: 'imagenet' },
  { name: '3d', dims: 3, size: 64, batch: 4, stem: 'imagenet' },
].filter((c) => !values.only || c.name === values.only) as Case[];

function vesalius(c: Case): number {
  ve.setNumThreads(threads);
  ve.manualSeed(0);
  const net = new ResNet({ depth: 18, spatialDims: c.dims, inChannels: 1, numClasses: 2, stem: c.stem });
  const opt = new ve.optim.Adam(net.parameters(), { lr: 1e-3 });
  const x = ve.randn([c.batch, 1, ...new Array<number>(c.dims).fill(c.size)]);
  const y = ve.zeros([c.batch], { dtype: 'int64' });
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    ve.tidy(() => {
      opt.zeroGrad();
      const loss = ve.tidy(() => ve.crossEntropy(net.forward(x), y));
      loss.backward();
      opt.step();
    });
    if (i >= warmup) times.push(performance.now() - t0);
  }
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
  times.sort((a, b) => a - b);
  return c.batch / (times[Math.floor(times.length / 2)]! / 1000);
}

function pytorch(c: Case): number {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      join(import.meta.dirname, 'classify_torch.py'),
      ...[c.dims, c.size, c.batch, steps, warmup, threads].map(String),
      c.stem,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`PyTorch side failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { images_per_second: number }).images_per_second;
}

const rows: string[] = [];
for (const c of CASES) {
  for (let round = 0; round < rounds; round++) {
    const ours = vesalius(c);
    const theirs = pytorch(c);
    const label = `ResNet-18 ${c.dims}D ${c.size}${c.dims === 3 ? '³' : '²'} batch ${c.batch}`;
    rows.push(`| ${label} | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)}× |`);
    process.stderr.write(`${rows.at(-1)}\n`);
  }
}
console.log(`threads ${threads}, median of ${steps} steps after ${warmup}\n`);
console.log('| training step | Vesalius img/s | PyTorch img/s | ratio |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(r);

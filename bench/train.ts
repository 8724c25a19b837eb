/**
 * Training-loop throughput: images per second of the whole loop — batches made off the main thread
 * by the batch loader (patch sampling + nnU-Net's default augmentation) and the step (forward,
 * Dice + CE, backward, Adam) — for a 2D U-Net on patches, against the same loop in PyTorch
 * (bench/train_torch.py, Debian's python3-torch, run in the same invocation with the same threads,
 * net, batch, patch and a close copy of the augmentation). Also reports how long each loop waited
 * for data. Random cases (the speed does not depend on the content).
 *
 *   npx tsx bench/train.ts [--threads 2] [--batch 8] [--patch 128] [--steps 20] [--features 16,32,64,128] [--rounds 2]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchLoader, batchTensors } from '../src/data/loader.js';
import * as ve from '../src/engine/index.js';
import { Adam } from '../src/engine/optim/adam.js';
import { DiceCELoss } from '../src/losses/dice-ce.js';
import { UNet } from '../src/nets/unet.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '8' },
    patch: { type: 'string', default: '128' },
    image: { type: 'string', default: '256' },
    cases: { type: 'string', default: '8' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    features: { type: 'string', default: '16,32,64,128' },
    rounds: { type: 'string', default: '2' },
  },
});
const threads = Number(values.threads),
  batch = Number(values.batch),
  patch = Number(values.patch),
  image = Number(values.image);
const cases = Number(values.cases),
  steps = Number(values.steps),
  warmup = Number(values.warmup),
  rounds = Number(values.rounds);
const features = values.features.split(',').map(Number);

async function vesalius(): Promise<{ images_per_second: number; ms_per_step: number; data_wait_seconds: number }> {
  ve.setNumThreads(threads);
  ve.manualSeed(0);
  const rng = new Random(1);
  const n = image * image;
  const loaderCases = Array.from({ length: cases }, () => ({
    image: Float32Array.from({ length: n }, () => rng.normal()),
    label: Uint8Array.from({ length: n }, () => rng.int(2)),
    channels: 1,
    spatialShape: [image, image],
  }));
  const model = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features, deepSupervision: false });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const loss = new DiceCELoss({ smooth: 1e-5 });
  const loader = new BatchLoader({
    cases: loaderCases,
    batchSize: batch,
    patchSize: [patch, patch],
    numClasses: 2,
    workers: 1,
    seed: 0,
  });
  let t0 = 0,
    wait = 0;
  try {
    for (let s = 0; s < warmup + steps; s++) {
      if (s === warmup) {
        t0 = performance.now();
        wait = 0;
      }
      const w0 = performance.now();
      const b = await loader.next();
      wait += performance.now() - w0;
      ve.tidy(() => {
        const { image: x, label: y } = batchTensors(b);
        optimizer.zeroGrad();
        const l = loss.forward(model.forward(x) as ve.Tensor, y);
        l.backward();
        optimizer.step();
        return l.item();
      });
    }
  } finally {
    await loader.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  optimizer.dispose();
  model.dispose();
  return {
    images_per_second: (steps * batch) / seconds,
    ms_per_step: (1000 * seconds) / steps,
    data_wait_seconds: wait / 1000,
  };
}

function torch(): { images_per_second: number; ms_per_step: number; data_wait_seconds: number; torch: string } {
  const args = [
    join(import.meta.dirname, 'train_torch.py'),
    '--threads',
    String(threads),
    '--batch',
    String(batch),
    '--patch',
    String(patch),
    '--image',
    String(image),
    '--cases',
    String(cases),
    '--steps',
    String(steps),
    '--warmup',
    String(warmup),
    '--features',
    features.join(','),
  ];
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch side failed: ${r.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

console.log(
  `training loop, 2D U-Net [${features.join(', ')}], batch ${batch}, patch ${patch}², ${threads} thread(s) for the step, 1 loader worker, ${steps} timed steps after ${warmup}, best of ${rounds} round(s)`,
);
let bestV = null as Awaited<ReturnType<typeof vesalius>> | null,
  bestT = null as ReturnType<typeof torch> | null;
for (let r = 0; r < rounds; r++) {
  // alternate so that both see the same machine load
  const v = await vesalius();
  const t = torch();
  console.log(
    `round ${r + 1}: Vesalius ${v.images_per_second.toFixed(2)} img/s (${v.ms_per_step.toFixed(0)} ms/step, waited ${v.data_wait_seconds.toFixed(2)} s), PyTorch ${t.images_per_second.toFixed(2)} img/s (${t.ms_per_step.toFixed(0)} ms/step, waited ${t.data_wait_seconds.toFixed(2)} s)`,
  );
  if (!bestV || v.images_per_second > bestV.images_per_second) bestV = v;
  if (!bestT || t.images_per_second > bestT.images_per_second) bestT = t;
}
console.log('| loop | img/s | ms/step | waited for data (s, whole run) |\n| --- | --- | --- | --- |');
console.log(
  `| Vesalius | ${bestV!.images_per_second.toFixed(2)} | ${bestV!.ms_per_step.toFixed(0)} | ${bestV!.data_wait_seconds.toFixed(2)} |`,
);
console.log(
  `| PyTorch ${bestT!.torch} | ${bestT!.images_per_second.toFixed(2)} | ${bestT!.ms_per_step.toFixed(0)} | ${bestT!.data_wait_seconds.toFixed(2)} |`,
);
console.log(`ratio Vesalius / PyTorch: ${(bestV!.images_per_second / bestT!.images_per_second).toFixed(2)}×`);

/**
 * Detection training throughput: images per second of the RetinaNet step (forward, anchor matching,
 * focal + L1 loss, backward, SGD) of Vesalius against torchvision's RetinaNet (bench/detect_torchvision.py,
 * Debian's python3-torchvision) on the same input size, network (ResNet-18 body, FPN over layer2..4,
 * the same anchors and head depth), batch and boxes, run in the same invocation with the same threads,
 * alternating rounds so that both see the same machine load. Reports medians of the per-step times.
 *
 *   npx tsx bench/detect.ts [--size 256] [--batch 4] [--steps 10] [--warmup 2] [--threads 2] [--fpn 64] [--convs 2] [--rounds 2]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BoxSet } from '../src/detection/boxes.js';
import { Detector } from '../src/detection/detector.js';
import { buildTargets, detectionLoss } from '../src/detection/loss.js';
import * as ve from '../src/engine/index.js';
import { SGD } from '../src/engine/optim/sgd.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256' },
    batch: { type: 'string', default: '4' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    fpn: { type: 'string', default: '64' },
    convs: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
  },
});
const [size, batch, steps, warmup, threads, fpn, convs, rounds] = [
  values.size,
  values.batch,
  values.steps,
  values.warmup,
  values.threads,
  values.fpn,
  values.convs,
  values.rounds,
].map(Number) as [number, number, number, number, number, number, number, number];

// the same boxes for both: 12 cells of 15–90 voxels per image
const rng = new Random(7);
const boxes = Array.from({ length: batch }, () => {
  const rows: number[][] = [],
    labels: number[] = [];
  for (let i = 0; i < 12; i++) {
    const s = rng.uniform(15, 90),
      x = rng.uniform(0, size - s),
      y = rng.uniform(0, size - s);
    rows.push([x, y, x + s, y + s * rng.uniform(0.8, 1.2)].map((v) => Math.min(size, v)));
    labels.push(rng.int(3));
  }
  return { boxes: rows, labels };
});

function vesalius(): { images_per_second: number; ms_per_step: number } {
  ve.setNumThreads(threads);
  ve.manualSeed(0);
  const model = new Detector({
    dims: 2,
    inChannels: 3,
    numClasses: 3,
    fpnChannels: fpn,
    extra: 'none',
    headConvs: convs,
    anchors: {
      sizes: [
        [16, 23],
        [32, 45],
        [64, 90],
      ],
      aspectRatios: [0.75, 1, 1.33],
    },
  });
  model.train(true);
  const opt = new SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
  const gts: BoxSet[] = boxes.map((b) => ({
    dims: 2,
    boxes: Float64Array.from(b.boxes.flat()),
    labels: Int32Array.from(b.labels),
  }));
  const loss = { kind: 'retinanet' as const, numClasses: 3, boxLoss: 'l1' as const };
  const image = ve.keep(ve.randn([batch, 3, size, size]));
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    ve.tidy(() => {
      const anchors = model.anchorsFor([size, size]);
      const targets = buildTargets(gts, anchors, loss);
      opt.zeroGrad();
      const parts = ve.tidy(() => detectionLoss(model.forward(image), targets, anchors, loss));
      parts.total.backward();
      opt.step();
    });
    if (s >= warmup) times.push(performance.now() - t0);
  }
  image.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return { images_per_second: (batch * 1000) / median, ms_per_step: median };
}

function torchvision(): { images_per_second: number; ms_per_step: number } {
  const script = join(import.meta.dirname, 'detect_torchvision.py');
  const r = spawnSync('/usr/bin/python3', [script, ...[size, batch, steps, warmup, threads, fpn, convs].map(String)], {
    input: JSON.stringify(boxes),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`torchvision reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { images_per_second: number; ms_per_step: number };
}

const results: Array<{ round: number; v: ReturnType<typeof vesalius>; t: ReturnType<typeof torchvision> }> = [];
for (let round = 1; round <= rounds; round++) {
  const t = torchvision();
  const v = vesalius();
  results.push({ round, v, t });
  console.error(
    `round ${round}: Vesalius ${v.images_per_second.toFixed(2)} img/s, torchvision ${t.images_per_second.toFixed(2)} img/s`,
  );
}
console.log(
  `RetinaNet training step, ResNet-18 + FPN(${fpn}) + ${convs}-conv head, batch ${batch} × 3 × ${size}², ${threads} threads, median of ${steps} steps per round\n`,
);
console.log('| round | Vesalius img/s | torchvision img/s | ratio |\n| --- | --- | --- | --- |');
for (const r of results)
  console.log(
    `| ${r.round} | ${r.v.images_per_second.toFixed(2)} | ${r.t.images_per_second.toFixed(2)} | ${(r.v.images_per_second / r.t.images_per_second).toFixed(2)}× |`,
  );
const ratios = results.map((r) => r.v.images_per_second / r.t.images_per_second).sort((a, b) => a - b);
console.log(`\nmedian ratio Vesalius / torchvision: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}×`);

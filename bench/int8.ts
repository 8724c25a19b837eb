/**
 * fp32 vs int8 vs bf16 inference, side by side in one process (issue 15).
 *
 * 1. A trained 2D model (the DRIVE model of examples/drive.yaml; any run whose config names a labelled test
 *    set): every test image predicted the way `vesalius predict` does it (preprocessing,
 *    sliding window with Gaussian weighting and overlap 0.5, mirroring TTA unless --no-tta), by the float
 *    run, the int8 run (`vesalius quantize`) and the float run cast to bfloat16, the three precisions
 *    taking turns image by image. Foreground Dice and ROC AUC inside the region of interest (DRIVE:
 *    the field of view, against the first observer), per image, averaged; time per image as a median, and the median of the per-image ratios.
 * 2. A 3D U-Net (nnU-Net's plain U-Net: instance norm, leaky ReLU, transposed convolutions) with seeded
 *    random weights on a synthetic volume: sliding-window time only (calibrated on another synthetic
 *    volume), the precisions taking turns over --repeats rounds.
 *
 *   npx tsx bench/int8.ts --run runs/drive --int8 runs/drive-int8 [--data DATASET_ROOT]
 *        [--images 20] [--no-tta] [--batch N] [--threads N] [--repeats 3] [--volume 128,128,64] [--patch 64,64,32]
 *        [--features 32,64,128,256] [--skip-2d] [--skip-3d]
 */
import { parseArgs } from 'node:util';
import * as ve from '../src/engine/index.js';
import {
  binaryTruth,
  foreground,
  list,
  mean,
  median,
  PRECISION_BENCH_OPTIONS,
  runPrecisionBench,
  synthetic3d,
  syntheticUNet,
  runTestCases,
  table,
  volume,
} from './common.js';
import type { Tensor } from '../src/engine/tensor.js';
import { loadInt8Run } from '../src/export/quantize-run.js';
import { type PredictionRun, predictCase } from '../src/infer/predict.js';
import { slidingWindowInference, type WindowModel } from '../src/infer/sliding-window.js';
import { rocAuc } from '../src/metrics/auc.js';
import { confusionCounts } from '../src/metrics/confusion.js';
import { dice } from '../src/metrics/overlap.js';
import { loadRun } from '../src/train/run-folder.js';

const { values: args } = parseArgs({ options: PRECISION_BENCH_OPTIONS });

ve.setNumThreads(Number(args.threads));

/**
 * A float network under bf16 autocast (convolutions and matrix products in bfloat16, the rest in float,
 * as the trainer's precision: bfloat16 runs): libtorch 1.13's bf16 transposed convolution on the CPU is
 * broken (it checks the weight as a forward convolution's), and autocast keeps those in float32.
 */
class Bf16Model implements WindowModel {
  training = false;
  constructor(private readonly model: WindowModel) {}
  train(): this {
    return this;
  }
  forward(x: Tensor): Tensor {
    return ve.tidy(() => {
      const out = ve.autocast(() => this.model.forward(x));
      return (Array.isArray(out) ? out[0]! : out).to('float32');
    });
  }
}

type Precision = 'fp32' | 'int8' | 'bf16';
const PRECISIONS: Precision[] = ['fp32', 'int8', 'bf16'];

async function drive(): Promise<void> {
  const float = loadRun(args.run);
  const int8 = loadInt8Run(args.int8);
  const bf16Run = loadRun(args.run);
  const runs: Record<Precision, PredictionRun> = {
    fp32: float,
    int8,
    bf16: { ...bf16Run, model: new Bf16Model(bf16Run.model as never) },
  };
  const tta = !args['no-tta'];
  const cases = runTestCases(float.config, args.data, Number(args.images));
  const stats: Record<Precision, { seconds: number[]; dice: number[]; auc: number[]; agree: number[] }> = {
    fp32: { seconds: [], dice: [], auc: [], agree: [] },
    int8: { seconds: [], dice: [], auc: [], agree: [] },
    bf16: { seconds: [], dice: [], auc: [], agree: [] },
  };
  for (const [index, testCase] of cases.entries()) {
    const { id } = testCase;
    const { gt, roi } = await binaryTruth(testCase);
    // the precisions take turns, starting with a different one each image
    const order = PRECISIONS.map((_, k) => PRECISIONS[(k + index) % 3]!);
    let floatLabels: Uint8Array | undefined;
    const labelsOf: Partial<Record<Precision, Uint8Array>> = {};
    for (const p of order) {
      const started = performance.now();
      const out = await predictCase(
        runs[p],
        { id, files: testCase.images },
        {
          tta,
          probabilities: true,
          batchSize: args.batch === undefined ? undefined : Number(args.batch),
        },
      );
      stats[p].seconds.push((performance.now() - started) / 1000);
      const { labels, p: fg } = foreground(out.labels.data as Uint8Array, out.probabilities!.data as Float32Array);
      stats[p].dice.push(dice(confusionCounts(labels, gt, roi)));
      stats[p].auc.push(rocAuc(fg, gt, roi)!);
      labelsOf[p] = labels;
      if (p === 'fp32') floatLabels = labels;
    }
    for (const p of PRECISIONS) stats[p].agree.push(dice(confusionCounts(labelsOf[p]!, floatLabels!, roi)));
    process.stderr.write(
      `image ${id}: ${PRECISIONS.map((p) => `${p} ${stats[p].seconds.at(-1)!.toFixed(2)} s Dice ${stats[p].dice.at(-1)!.toFixed(4)}`).join(', ')}\n`,
    );
  }
  const f = stats.fp32;
  table(
    `${args.run}: test set (${cases.length} images, foreground Dice and AUC, ${tta ? 'mirroring TTA' : 'no TTA'}, ${args.batch ?? "predict's default"} window(s) per pass, ${args.threads} thread(s)): int8 = ${int8.model.summary().int8} int8 node(s), ${int8.model.summary().float.length} float`,
    [
      'precision',
      'median s / image',
      'speed-up vs fp32 (median of per-image ratios)',
      'Dice',
      'ΔDice',
      'AUC',
      'ΔAUC',
      'label Dice vs fp32',
    ],
    PRECISIONS.map((p) => {
      const s = stats[p];
      const ratios = s.seconds.map((t, i) => f.seconds[i]! / t);
      return [
        p,
        median(s.seconds).toFixed(3),
        `${median(ratios).toFixed(2)}×`,
        mean(s.dice).toFixed(4),
        (mean(s.dice) - mean(f.dice)).toFixed(4),
        mean(s.auc).toFixed(4),
        (mean(s.auc) - mean(f.auc)).toFixed(4),
        mean(s.agree).toFixed(4),
      ];
    }),
  );
  int8.dispose();
  float.model.dispose();
  bf16Run.model.dispose();
}

async function threeD(): Promise<void> {
  const synthetic = await synthetic3d(list(args.features), list(args.volume), list(args.patch));
  const { net, int8, shape, patch } = synthetic;
  const bfNet = syntheticUNet(list(args.features));
  bfNet.loadStateDict(net.stateDict());
  const models: Record<Precision, WindowModel> = { fp32: net, int8, bf16: new Bf16Model(bfNet) };
  const x = volume(shape, 2);
  const seconds: Record<Precision, number[]> = { fp32: [], int8: [], bf16: [] };
  const probs: Partial<Record<Precision, Tensor>> = {};
  const repeats = Number(args.repeats);
  for (let r = 0; r < repeats; r++) {
    for (const p of PRECISIONS.map((_, k) => PRECISIONS[(k + r) % 3]!)) {
      const started = performance.now();
      const out = await slidingWindowInference(models[p], x, { patchSize: patch, overlap: 0.5, mirror: false });
      seconds[p].push((performance.now() - started) / 1000);
      probs[p]?.dispose();
      probs[p] = out;
    }
    process.stderr.write(
      `3D round ${r + 1}: ${PRECISIONS.map((p) => `${p} ${seconds[p].at(-1)!.toFixed(2)} s`).join(', ')}\n`,
    );
  }
  const labels = (t: Tensor) =>
    ve.tidy(() => ve.argmax(t, { dim: 1 }).to('uint8').contiguous().toArray() as Uint8Array);
  const ref = labels(probs.fp32!);
  table(
    `3D U-Net [${list(args.features).join(', ')}] features, volume ${list(args.volume).join('×')}, patch ${list(args.patch).join('×')}, overlap 0.5, no TTA, ${args.threads} thread(s), ${repeats} round(s); random weights (timing only)`,
    [
      'precision',
      'median s / volume',
      'speed-up vs fp32 (median of per-round ratios)',
      'max |Δp| vs fp32',
      'label agreement with fp32 (voxels)',
    ],
    PRECISIONS.map((p) => {
      const ratios = seconds[p].map((t, i) => seconds.fp32[i]! / t);
      const diff = ve.tidy(() => probs[p]!.sub(probs.fp32!).abs().max().item() as number);
      const mine = labels(probs[p]!);
      let same = 0;
      for (let v = 0; v < ref.length; v++) if (mine[v] === ref[v]) same++;
      return [
        p,
        median(seconds[p]).toFixed(2),
        `${median(ratios).toFixed(2)}×`,
        diff.toFixed(4),
        `${((100 * same) / ref.length).toFixed(2)}%`,
      ];
    }),
  );
  synthetic.dispose();
}

await runPrecisionBench('int8 benchmark', args, drive, threeD);

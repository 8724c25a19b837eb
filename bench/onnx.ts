/**
 * The exported ONNX models in ONNX Runtime (onnxruntime-node, CPU) against the engine, side by side in
 * one process (issue 15): float export vs the engine's fp32, QDQ int8 export vs the engine's int8.
 *
 * 1. A trained 2D model (the DRIVE model of examples/drive.yaml; any run whose config names a labelled test
 *    set): every test image through `predict`'s pipeline (the same preprocessing and
 *    sliding window; only the network's runtime differs), the four runtimes taking turns image by
 *    image. Foreground Dice and ROC AUC inside the region of interest (DRIVE: the field of view), time per image, and the largest
 *    probability difference from the engine's fp32 run.
 * 2. A 3D U-Net with seeded random weights on a synthetic volume: sliding-window time and the largest
 *    logit difference on one patch (timing only).
 *
 *   npx tsx bench/onnx.ts --run runs/drive --int8 runs/drive-int8 [--data DATASET_ROOT]
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
  runTestCases,
  table,
  volume,
} from './common.js';
import type { Tensor } from '../src/engine/tensor.js';
import { exportToMemory, onnxPredictionRun } from '../src/export/onnx/export-run.js';
import { graphToOnnx } from '../src/export/onnx/model.js';
import { loadInt8Run } from '../src/export/quantize-run.js';
import { disposeGraph, toGraph } from '../src/infer/graph/index.js';
import { OnnxWindowModel } from '../src/infer/onnx-runtime.js';
import { type PredictionRun, predictCase } from '../src/infer/predict.js';
import { slidingWindowInference, type WindowModel } from '../src/infer/sliding-window.js';
import { rocAuc } from '../src/metrics/auc.js';
import { confusionCounts } from '../src/metrics/confusion.js';
import { dice } from '../src/metrics/overlap.js';
import { loadRun } from '../src/train/run-folder.js';

const { values: args } = parseArgs({ options: PRECISION_BENCH_OPTIONS });

const threads = Number(args.threads);
ve.setNumThreads(threads);

const RUNTIMES = ['engine fp32', 'onnx fp32', 'engine int8', 'onnx int8 (QDQ)'] as const;
type Runtime = (typeof RUNTIMES)[number];

async function drive(): Promise<void> {
  const float = loadRun(args.run);
  const int8 = loadInt8Run(args.int8);
  const floatOnnx = await exportToMemory(args.run, { skipCheck: true }, float);
  const qdqOnnx = await exportToMemory(args.int8, { skipCheck: true });
  const runs: Record<Runtime, PredictionRun> = {
    'engine fp32': float,
    'onnx fp32': onnxPredictionRun(await OnnxWindowModel.create(floatOnnx.bytes, { threads }), floatOnnx.sidecar),
    'engine int8': int8,
    'onnx int8 (QDQ)': onnxPredictionRun(await OnnxWindowModel.create(qdqOnnx.bytes, { threads }), qdqOnnx.sidecar),
  };
  const tta = !args['no-tta'];
  const cases = runTestCases(float.config, args.data, Number(args.images));
  const stats = Object.fromEntries(
    RUNTIMES.map((r) => [r, { seconds: [] as number[], dice: [] as number[], auc: [] as number[], dp: 0 }]),
  ) as Record<Runtime, { seconds: number[]; dice: number[]; auc: number[]; dp: number }>;
  for (const [index, testCase] of cases.entries()) {
    const { id } = testCase;
    const { gt, roi } = await binaryTruth(testCase);
    const order = RUNTIMES.map((_, k) => RUNTIMES[(k + index) % RUNTIMES.length]!);
    const probabilities: Partial<Record<Runtime, Float32Array>> = {};
    for (const r of order) {
      const started = performance.now();
      const out = await predictCase(
        runs[r],
        { id, files: testCase.images },
        { tta, probabilities: true, batchSize: args.batch === undefined ? undefined : Number(args.batch) },
      );
      stats[r].seconds.push((performance.now() - started) / 1000);
      probabilities[r] = out.probabilities!.data as Float32Array;
      const { labels, p: fg } = foreground(out.labels.data as Uint8Array, probabilities[r]);
      stats[r].dice.push(dice(confusionCounts(labels, gt, roi)));
      stats[r].auc.push(rocAuc(fg, gt, roi)!);
    }
    const ref = probabilities['engine fp32']!;
    for (const r of RUNTIMES) {
      const p = probabilities[r]!;
      for (let v = 0; v < p.length; v++) stats[r].dp = Math.max(stats[r].dp, Math.abs(p[v]! - ref[v]!));
    }
    process.stderr.write(
      `image ${id}: ${RUNTIMES.map((r) => `${r} ${stats[r].seconds.at(-1)!.toFixed(2)} s`).join(', ')}\n`,
    );
  }
  const base = stats['engine fp32'];
  table(
    `${args.run}: test set (${cases.length} images, foreground Dice and AUC, ${tta ? 'mirroring TTA' : 'no TTA'}, ${threads} thread(s) for the engine and ONNX Runtime alike)`,
    [
      'runtime',
      'median s / image',
      'speed vs engine fp32 (median of per-image ratios)',
      'Dice',
      'AUC',
      'max |Δp| vs engine fp32',
    ],
    RUNTIMES.map((r) => {
      const s = stats[r];
      return [
        r,
        median(s.seconds).toFixed(3),
        `${median(s.seconds.map((t, i) => base.seconds[i]! / t)).toFixed(2)}×`,
        mean(s.dice).toFixed(4),
        mean(s.auc).toFixed(4),
        s.dp.toExponential(2),
      ];
    }),
  );
  int8.dispose();
  float.model.dispose();
}

async function threeD(): Promise<void> {
  const synthetic = await synthetic3d(list(args.features), list(args.volume), list(args.patch));
  const { net, graph, spec, int8, shape, patch } = synthetic;
  const floatGraph = toGraph(net, { inChannels: 1, spatialDims: 3 });
  const int8Values = new Set([...int8.precisions()].filter(([, p]) => p === 'int8').map(([v]) => v));
  const models: Record<Runtime, WindowModel> = {
    'engine fp32': net,
    'onnx fp32': await OnnxWindowModel.create(graphToOnnx(floatGraph, { numClasses: 3 }), { threads }),
    'engine int8': int8,
    'onnx int8 (QDQ)': await OnnxWindowModel.create(
      graphToOnnx(graph, { numClasses: 3, qdq: { ranges: spec.ranges, int8Values } }),
      {
        threads,
      },
    ),
  };
  const x = volume(shape, 2);
  const patchInput = ve.tidy(() =>
    x.narrow(2, 0, patch[0]!).narrow(3, 0, patch[1]!).narrow(4, 0, patch[2]!).contiguous(),
  );
  const reference = ve.noGrad(() => net.logits(patchInput));
  const seconds = Object.fromEntries(RUNTIMES.map((r) => [r, [] as number[]])) as Record<Runtime, number[]>;
  const repeats = Number(args.repeats);
  for (let round = 0; round < repeats; round++) {
    for (const r of RUNTIMES.map((_, k) => RUNTIMES[(k + round) % RUNTIMES.length]!)) {
      const started = performance.now();
      const out = await slidingWindowInference(models[r], x, { patchSize: patch, overlap: 0.5, mirror: false });
      seconds[r].push((performance.now() - started) / 1000);
      out.dispose();
    }
    process.stderr.write(
      `3D round ${round + 1}: ${RUNTIMES.map((r) => `${r} ${seconds[r].at(-1)!.toFixed(2)} s`).join(', ')}\n`,
    );
  }
  const rows: string[][] = [];
  for (const r of RUNTIMES) {
    const m = models[r];
    const logits = m.forwardAsync ? await m.forwardAsync(patchInput) : (m.forward(patchInput) as Tensor);
    const diff = ve.tidy(() => logits.sub(reference).abs().max().item() as number);
    logits.dispose();
    rows.push([
      r,
      median(seconds[r]).toFixed(2),
      `${median(seconds[r].map((t, i) => seconds['engine fp32'][i]! / t)).toFixed(2)}×`,
      diff.toExponential(2),
    ]);
  }
  table(
    `3D U-Net [${list(args.features).join(', ')}] features, volume ${list(args.volume).join('×')}, patch ${list(args.patch).join('×')}, overlap 0.5, no TTA, ${threads} thread(s), ${repeats} round(s); random weights (timing and parity only)`,
    [
      'runtime',
      'median s / volume',
      'speed vs engine fp32 (median of per-round ratios)',
      'max |Δlogit| vs engine fp32 (one patch)',
    ],
    rows,
  );
  synthetic.dispose();
  disposeGraph(floatGraph);
}

await runPrecisionBench('ONNX benchmark', args, drive, threeD);

/**
 * What the precision/runtime benches (int8.ts, onnx.ts) share: their flags, number lists from flags, median
 * and mean, a Markdown table, a smooth synthetic volume with a seeded 3D U-Net calibrated on it, a run's
 * labelled test cases with their truth and region of interest, and the main sequence.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Case, type DatasetSpec, openDataset } from '../src/data/index.js';
import * as ve from '../src/engine/index.js';
import type { Tensor } from '../src/engine/tensor.js';
import { calibrate } from '../src/export/calibrate.js';
import { int8Graph } from '../src/export/quantize-run.js';
import { disposeGraph, type Graph } from '../src/infer/graph/index.js';
import { type Int8Spec, Int8Model } from '../src/infer/int8/model.js';
import { readImage } from '../src/io/read.js';
import { UNet } from '../src/nets/index.js';
import type { TrainingConfig } from '../src/train/config.js';
import { percentile } from '../src/util/percentile.js';

/** "32,64,128" → [32, 64, 128]. */
export const list = (s: string): number[] => s.split(',').map(Number);
export const median = (xs: number[]): number => percentile(xs, 50);
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Prints a Markdown table under a title. */
export function table(title: string, header: string[], rows: string[][]): void {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/** A smooth synthetic volume [1, 1, D, H, W] (Gaussian noise box-filtered twice), seeded. */
export function volume(shape: number[], seed: number): Tensor {
  return ve.tidy(() => {
    ve.manualSeed(seed);
    const noise = ve.randn([1, 1, ...shape]);
    return ve.avgPool3d(ve.avgPool3d(noise, 5, { stride: 1, padding: 2 }), 5, { stride: 1, padding: 2 }).mul(10);
  });
}

/**
 * The first `n` labelled test cases of a run's dataset (its config's `dataset.test`), found as training found
 * its cases; `data` moves the dataset's root (a run trained elsewhere).
 */
export function runTestCases(config: TrainingConfig, data: string | undefined, n: number): Case[] {
  const spec = { ...(config.dataset as DatasetSpec), ...(data === undefined ? {} : { root: data }) };
  const cases = openDataset(spec).test.filter((c) => c.label !== undefined);
  if (cases.length === 0)
    throw new Error(`${spec.root}: the run's dataset has no labelled test cases (dataset.test in its config)`);
  return cases.slice(0, n);
}

/** A test case's foreground (any non-zero label) and region of interest (everywhere when it has none), as 0/1. */
export async function binaryTruth(c: Case): Promise<{ gt: Uint8Array; roi: Uint8Array }> {
  const binary = async (path: string) =>
    Uint8Array.from((await readImage(path)).data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0));
  const gt = await binary(c.label!);
  return { gt, roi: c.roi === undefined ? new Uint8Array(gt.length).fill(1) : await binary(c.roi) };
}

/** Foreground labels (any class but background) and the foreground probability (1 − p(background)). */
export function foreground(labels: Uint8Array, probabilities: Float32Array): { labels: Uint8Array; p: Float32Array } {
  const n = labels.length;
  return {
    labels: Uint8Array.from(labels, (v) => (v > 0 ? 1 : 0)),
    p: Float32Array.from(probabilities.subarray(0, n), (b) => 1 - b),
  };
}

/** The flags of bench/int8.ts and bench/onnx.ts (parseArgs options). */
export const PRECISION_BENCH_OPTIONS = {
  run: { type: 'string', default: 'runs/drive' },
  int8: { type: 'string', default: 'runs/drive-int8' },
  // the dataset's root, when it moved since training (default: the run config's)
  data: { type: 'string' },
  images: { type: 'string', default: '20' },
  'no-tta': { type: 'boolean', default: false },
  // windows per forward pass (predict's --batch; default: predict's, per runtime)
  batch: { type: 'string' },
  threads: { type: 'string', default: String(availableParallelism()) },
  repeats: { type: 'string', default: '3' },
  volume: { type: 'string', default: '128,128,64' },
  patch: { type: 'string', default: '64,64,32' },
  features: { type: 'string', default: '32,64,128,256' },
  'skip-2d': { type: 'boolean', default: false },
  'skip-3d': { type: 'boolean', default: false },
} as const;

/** A seeded 3D U-Net (random weights), its int8 graph calibrated on 4 windows of a synthetic volume, and that volume's sizes. */
export interface Synthetic3d {
  net: UNet;
  graph: Graph;
  spec: Int8Spec;
  int8: Int8Model;
  /** Tensor order (z, y, x). */
  shape: number[];
  patch: number[];
  dispose(): void;
}

/** The benches' 3D U-Net (one channel in, three classes, no deep supervision), in eval mode. */
export const syntheticUNet = (features: number[]): UNet =>
  new UNet({ spatialDims: 3, inChannels: 1, numClasses: 3, features, deepSupervision: false }).eval();

/** `volume` and `patch` in image order (x, y, z) as the flags give them. */
export async function synthetic3d(features: number[], volumeSize: number[], patchSize: number[]): Promise<Synthetic3d> {
  const shape = [...volumeSize].reverse();
  const patch = [...patchSize].reverse();
  ve.manualSeed(0);
  const net = syntheticUNet(features);
  const graph = int8Graph({ model: net, plan: { channels: ['MR'], dimension: '3d' } } as never);
  const calibrationVolume = volume(shape, 1);
  const windows = async function* () {
    for (let i = 0; i < 4; i++)
      yield ve.tidy(() =>
        calibrationVolume
          .narrow(2, i * Math.floor((shape[0]! - patch[0]!) / 3), patch[0]!)
          .narrow(3, 0, patch[1]!)
          .narrow(4, 0, patch[2]!)
          .contiguous(),
      );
  };
  const { spec } = await calibrate(graph, windows);
  calibrationVolume.dispose();
  const int8 = new Int8Model(graph, spec);
  return {
    net,
    graph,
    spec,
    int8,
    shape,
    patch,
    dispose: () => {
      int8.dispose();
      disposeGraph(graph);
    },
  };
}

/** Prints the header, then runs the 2D part (when its runs exist) and the 3D part, as the flags say. */
export async function runPrecisionBench(
  name: string,
  args: { run: string; int8: string; 'skip-2d': boolean; 'skip-3d': boolean },
  twoD: () => Promise<void>,
  threeD: () => Promise<void>,
): Promise<void> {
  console.log(
    `${name}: ${new Date().toISOString()}, ${availableParallelism()} core(s) (shared with other work: times are noisy; ratios are measured side by side)`,
  );
  if (!args['skip-2d']) {
    if (!existsSync(args.run) || !existsSync(args.int8))
      console.log(
        `\n(skipping the 2D model: ${args.run} or ${args.int8} is missing; train with examples/drive.yaml and quantize first)`,
      );
    else await twoD();
  }
  if (!args['skip-3d']) await threeD();
}

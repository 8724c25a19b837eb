/**
 * What the precision/runtime benches (int8.ts, onnx.ts) share: number lists from flags, median and mean,
 * a Markdown table, a smooth synthetic volume, and a run's labelled test cases with their truth and region of
 * interest.
 */
import { type Case, type DatasetSpec, openDataset } from '../src/data/index.js';
import * as ve from '../src/engine/index.js';
import type { Tensor } from '../src/engine/tensor.js';
import { readImage } from '../src/io/read.js';
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

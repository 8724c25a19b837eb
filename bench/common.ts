/**
 * What the precision/runtime benches (int8.ts, onnx.ts) share: number lists from flags, median and mean,
 * a Markdown table, a smooth synthetic volume, and a DRIVE test case with its truth and field of view.
 */
import { join } from 'node:path';
import * as ve from '../src/engine/index.js';
import type { Tensor } from '../src/engine/tensor.js';
import { readImage } from '../src/io/read.js';
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

/** The ids of the first `n` DRIVE test images ("01" … "20"). */
export const driveTestIds = (n: number): string[] =>
  Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(2, '0')).slice(0, n);

/** A DRIVE test image's path, its first observer's vessels and its field of view as 0/1. */
export async function driveTestCase(
  data: string,
  id: string,
): Promise<{ image: string; gt: Uint8Array; roi: Uint8Array }> {
  const binary = async (path: string) =>
    Uint8Array.from((await readImage(path)).data as ArrayLike<number>, (v) => (v > 0 ? 1 : 0));
  return {
    image: join(data, 'testing', 'images', `${id}_test.tif`),
    gt: await binary(join(data, 'testing', '1st_manual', `${id}_manual1.gif`)),
    roi: await binary(join(data, 'testing', 'mask', `${id}_test_mask.gif`)),
  };
}

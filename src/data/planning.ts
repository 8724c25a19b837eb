/** Fingerprint + plan for a dataset on disk, read through a reader callback (the io layer's readImage). */
import {
  type DatasetFingerprint,
  type FingerprintOptions,
  type ImageReader,
  fingerprintDataset,
} from './fingerprint.js';
import type { Dataset } from './layout/dataset.js';
import { type Plan, type PlanOptions, planFromFingerprint } from './plan.js';

export interface DatasetPlan {
  fingerprint: DatasetFingerprint;
  plan: Plan;
}

/**
 * Fingerprints a dataset (reads every case once: spacing, cropped shape, foreground intensities, labels
 * checked against the classes) and derives nnU-Net's plan from it (`planFromFingerprint`).
 *
 * @param dataset from `openDataset`
 * @param reader reads one image (`readImage` from `vesalius/io`)
 * @param options `overrides` fix plan fields (the config's `plan` section); `onCase` reports progress
 * @returns the fingerprint and the plan
 * @throws ShapeError or VesaliusError naming the case for labels outside the classes, images and labels
 *   on different grids, or a wrong channel count; OptionError for an override that cannot be met
 *
 * @example
 * ```ts
 * import { formatPlan, openDataset, planDataset } from 'vesalius/data';
 * import { readImage } from 'vesalius/io';
 * const { plan } = await planDataset(openDataset({ layout: 'msd', root: 'Task04_Hippocampus' }), readImage);
 * console.log(formatPlan(plan));
 * ```
 */
export async function planDataset(
  dataset: Dataset,
  reader: ImageReader,
  options: PlanOptions & FingerprintOptions & { onCase?: (id: string, index: number, total: number) => void } = {},
): Promise<DatasetPlan> {
  const fingerprint = await fingerprintDataset(dataset, reader, options);
  return { fingerprint, plan: planFromFingerprint(fingerprint, options) };
}

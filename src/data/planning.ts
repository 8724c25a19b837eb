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

export async function planDataset(
  dataset: Dataset,
  reader: ImageReader,
  options: PlanOptions & FingerprintOptions & { onCase?: (id: string, index: number, total: number) => void } = {},
): Promise<DatasetPlan> {
  const fingerprint = await fingerprintDataset(dataset, reader, options);
  return { fingerprint, plan: planFromFingerprint(fingerprint, options) };
}

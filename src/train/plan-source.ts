/**
 * What `vesalius plan` and `vesalius train` plan from: a training config (YAML/JSON; its `dataset`
 * section and `plan` overrides), an MSD/nnU-Net dataset folder, or that folder's dataset.json.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatasetFingerprint, ImageReader } from '../data/fingerprint.js';
import type { Dataset } from '../data/layout/dataset.js';
import { discoverMsd } from '../data/layout/msd.js';
import { openDataset } from '../data/layout/open.js';
import type { Plan, PlanOverrides } from '../data/plan.js';
import { planDataset } from '../data/planning.js';
import { VesaliusError } from '../util/errors.js';
import { type TrainingConfig, loadConfig } from './config.js';

export interface PlanSource {
  dataset: Dataset;
  overrides: PlanOverrides;
  config?: TrainingConfig;
}

/** Opens a config file, an MSD folder or a dataset.json. */
export function openPlanSource(path: string): PlanSource {
  if (!existsSync(path))
    throw new VesaliusError(
      `${path}: not found (give a training config, an MSD/nnU-Net dataset folder or its dataset.json)`,
    );
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'dataset.json'))) {
      throw new VesaliusError(
        `${path}: no dataset.json here; for folders of images and masks write a config with dataset.layout: folders and the file patterns`,
      );
    }
    return { dataset: discoverMsd(path), overrides: {} };
  }
  if (basename(path) === 'dataset.json') return { dataset: discoverMsd(dirname(path)), overrides: {} };
  const config = loadConfig(path);
  const { memory_budget_gb, max_batch_dataset_fraction, ...rest } = config.plan;
  const overrides: PlanOverrides = { ...rest, memory_budget_gb, max_batch_dataset_fraction };
  // the top-level training fields also fix the plan
  if (config.patch_size) overrides.patch_size = config.patch_size;
  if (config.batch_size) overrides.batch_size = config.batch_size;
  return { dataset: openDataset(config.dataset), overrides, config };
}

export interface PlannedSource extends PlanSource {
  fingerprint: DatasetFingerprint;
  plan: Plan;
}

/** Fingerprints the dataset through `reader` and plans it, with the source's overrides (and `extra` on top). */
export async function planSource(
  source: PlanSource,
  reader: ImageReader,
  extra: PlanOverrides = {},
  onCase?: (id: string, index: number, total: number) => void,
): Promise<PlannedSource> {
  const network = source.config?.network;
  const { fingerprint, plan } = await planDataset(source.dataset, reader, {
    overrides: { ...source.overrides, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) },
    convsPerStage: network?.convs_per_stage,
    deepSupervision: network?.deep_supervision,
    onCase,
  });
  return { ...source, fingerprint, plan };
}

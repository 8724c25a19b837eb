/**
 * LoRA fine-tuning of a classification run (`finetune.lora`): adapters on the chosen layers of the
 * pretrained network, the head trained beside them when it is new, the adapters saved apart after
 * every checkpoint (checkpoints/best.lora.safetensors, last.lora.safetensors), and the merge that turns
 * a LoRA run into an ordinary run whose network computes the same (`vesalius finetune-merge`).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeSafetensors } from '../../engine/safetensors.js';
import { decodeSafetensors } from '../../engine/safetensors-bytes.js';
import type { Classifier } from '../../nets/classifier.js';
import { applyLora, type LoraInfo, mergeLora, saveLoraAdapters } from '../../nets/lora.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { OptionError, VesaliusError } from '../../util/errors.js';
import { runPaths } from '../run-folder.js';
import type { ClassificationConfig } from './config.js';
import { buildClassificationNetwork } from './model.js';
import { loadClassificationRun } from './run.js';

export type LoraConfig = NonNullable<ClassificationConfig['finetune']['lora']>;

/** The parameter names of a classifier's head. */
export const headParameters = (net: Classifier): string[] =>
  net
    .namedParameters()
    .map(([n]) => n)
    .filter((n) => n.startsWith(`${net.headName}.`));

/**
 * Adds the config's adapters to `net` (every base parameter frozen) and unfreezes the head when
 * `train_head` asks for it (null: when the head is new, `freshHead` non-empty).
 * @returns the adapters' settings and the head parameters left trainable
 * @throws OptionError naming `finetune.lora.*`
 */
export function applyFinetuneLora(
  net: Classifier,
  lora: LoraConfig,
  freshHead: readonly string[] = [],
): { info: LoraInfo; trainedHead: string[] } {
  const info = applyLora(net, lora, 'finetune.lora');
  const trainHead = lora.train_head ?? freshHead.length > 0;
  const trainedHead = trainHead ? headParameters(net) : [];
  for (const [name, p] of net.namedParameters()) if (trainedHead.includes(name)) p.requiresGrad_(true);
  return { info, trainedHead };
}

/**
 * Checks `finetune.lora` against the configured network (its layer names do not depend on the data).
 * @throws OptionError naming `finetune.lora.target` (or rank, alpha, dropout)
 */
export function checkLoraTargets(config: Pick<ClassificationConfig, 'network' | 'input'>, lora: LoraConfig): void {
  const modalities = [1, 2].map((i) => ({ name: String(i), channels: 1 }));
  const net = buildClassificationNetwork(config, 2, 2, modalities);
  try {
    applyLora(net, lora, 'finetune.lora');
  } finally {
    net.dispose();
  }
}

/** Where the adapters of checkpoint `path` (…/best.safetensors) are saved: …/best.lora.safetensors. */
export const adapterPath = (checkpoint: string): string => checkpoint.replace(/\.safetensors$/, '.lora.safetensors');

/** Writes the adapters (and the trained head) of `net` beside checkpoint `path`. */
export function saveAdaptersBeside(net: Classifier, checkpoint: string, trainedHead: readonly string[]): void {
  // the header only: no tensors made from the checkpoint just written
  const meta = decodeSafetensors(readFileSync(checkpoint), checkpoint).metadata;
  saveLoraAdapters(net, adapterPath(checkpoint), {
    extra: trainedHead,
    metadata: meta.epoch ? { epoch: meta.epoch } : {},
  });
}

/**
 * Folds a LoRA run's adapters into its weights: `out` becomes an ordinary run (config without
 * `finetune.lora`, the same dataset.json, splits.json and log; checkpoints/best and last with the
 * merged weights) whose predictions equal the LoRA run's.
 * @returns the checkpoints written
 * @throws VesaliusError when `runDir` is not a LoRA run, or `out` already holds a run
 */
export function mergeLoraRun(runDir: string, out: string): string[] {
  const from = runPaths(runDir);
  const to = runPaths(out);
  if (existsSync(to.config)) throw new VesaliusError(`${out} already holds a run; choose another output folder`);
  const written: string[] = [];
  for (const which of ['best', 'last'] as const) {
    if (!existsSync(from[which])) continue;
    const run = loadClassificationRun(runDir, which);
    if (!run.config.finetune.lora)
      throw new OptionError('run', `${runDir} was not trained with finetune.lora: nothing to merge`);
    const merged = mergeLora(run.model);
    const { metadata } = decodeSafetensors(readFileSync(from[which]), from[which]);
    try {
      mkdirSync(to.checkpoints, { recursive: true });
      writeSafetensors(to[which], merged, { ...metadata, merged_lora: adapterPath(from[which]) });
    } finally {
      for (const t of Object.values(merged)) t.dispose();
      run.model.dispose();
    }
    written.push(to[which]);
    if (written.length === 1) {
      const config = { ...run.config, finetune: { ...run.config.finetune, lora: null } };
      writeFileAtomic(to.config, `${JSON.stringify(config, null, 2)}\n`);
    }
  }
  if (written.length === 0) throw new VesaliusError(`${runDir}: no checkpoints to merge`);
  for (const f of [from.dataset, from.splits, from.log]) if (existsSync(f)) copyFileSync(f, join(out, basename(f)));
  return written;
}

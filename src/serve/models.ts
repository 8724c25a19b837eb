/**
 * The models a server offers: every run folder directly inside the models folder (config.json,
 * plan.json, dataset.json and a checkpoint; an int8 run from `vesalius quantize` runs on the int8
 * runtime), named by its folder. What a client sees of a model: its
 * plan (dimension, spacing, patch, channels), its classes and its training metrics (best validation
 * Dice from log.jsonl). Classification runs will be listed here too once the trainer writes them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetFingerprint } from '../data/fingerprint.js';
import { isInt8Run, type LoadedInt8Run, loadInt8Run, QUANTIZATION_FILE } from '../export/quantize-run.js';
import { type LoadedRun, loadRun, readLog, runPaths } from '../train/run-folder.js';
import { loadPlan } from '../data/plan.js';
import { readFileSync } from 'node:fs';
import { VesaliusError } from '../util/errors.js';
import { inside, isModelName } from './ids.js';

export interface ModelInfo {
  name: string;
  kind: 'segmentation';
  dimension: '2d' | '3d';
  channels: string[];
  classes: { value: number; name: string }[];
  targetSpacing: number[];
  patchSize: number[];
  normalization: string[];
  checkpoint: 'best' | 'last';
  /** int8: a run made by `vesalius quantize`, served on the int8 runtime. */
  precision: 'fp32' | 'int8';
  metrics: { bestValidationDice: number | null; bestEpoch: number | null; epochs: number };
  /** Whether the run has a training fingerprint (drift against training is possible). */
  fingerprint: boolean;
}

/** The checkpoint a served run uses: best, or last when it never validated. */
export function servedCheckpoint(runDir: string): 'best' | 'last' {
  const p = runPaths(runDir);
  return !existsSync(p.best) && existsSync(p.last) ? 'last' : 'best';
}

function isRun(dir: string): boolean {
  const p = runPaths(dir);
  return (
    existsSync(p.config) && existsSync(p.plan) && existsSync(p.dataset) && (existsSync(p.best) || existsSync(p.last))
  );
}

/** Names of the run folders in `root`. */
export function listModels(root: string): string[] {
  if (!existsSync(root)) throw new VesaliusError(`${root}: no such models folder`);
  return readdirSync(root)
    .filter((name) => isModelName(name) && statSync(inside(root, name)).isDirectory() && isRun(inside(root, name)))
    .sort();
}

/** The run folder of a model, or undefined when there is no such model. */
export function modelDir(root: string, name: string): string | undefined {
  if (!isModelName(name)) return undefined;
  const dir = inside(root, name);
  return existsSync(dir) && isRun(dir) ? dir : undefined;
}

/** What a client sees of a model: plan, classes, training metrics (undefined: no such model). */
export function modelInfo(root: string, name: string): ModelInfo | undefined {
  const dir = modelDir(root, name);
  if (!dir) return undefined;
  const p = runPaths(dir);
  const plan = loadPlan(p.plan);
  const dataset = JSON.parse(readFileSync(p.dataset, 'utf8')) as { labels?: { name: string; value: number }[] };
  let best: number | null = null;
  let bestEpoch: number | null = null;
  const log = readLog(dir);
  for (const e of log) {
    const dice = e.val_mean_dice;
    if (typeof dice === 'number' && (best === null || dice > best)) {
      best = dice;
      bestEpoch = e.epoch as number;
    }
  }
  return {
    name,
    kind: 'segmentation',
    dimension: plan.dimension,
    channels: plan.channels,
    classes: (dataset.labels ?? []).map((l) => ({ value: l.value, name: l.name })),
    targetSpacing: plan.target_spacing,
    patchSize: plan.patch_size,
    normalization: plan.normalization,
    checkpoint: servedCheckpoint(dir),
    precision: isInt8Run(dir) ? 'int8' : 'fp32',
    metrics: { bestValidationDice: best, bestEpoch, epochs: log.length },
    fingerprint: existsSync(p.fingerprint),
  };
}

/** The run's training fingerprint, or undefined when the run has none (trained before it was kept). */
export function readFingerprint(runDir: string): DatasetFingerprint | undefined {
  const path = runPaths(runDir).fingerprint;
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as DatasetFingerprint;
}

/** A model as the server runs it: a float run, or an int8 run (from `vesalius quantize`) on the int8 runtime. */
export type ServedRun = LoadedRun | LoadedInt8Run;

function disposeRun(run: ServedRun): void {
  if ('quantization' in run) run.dispose();
  else run.model.dispose();
}

/** Loaded runs, kept while their checkpoint file (and an int8 run's quantization record) is unchanged. */
export class ModelCache {
  private readonly runs = new Map<string, { run: ServedRun; mtime: number }>();

  /**
   * A cache over a models folder.
   *
   * @param root - the models folder
   */
  constructor(readonly root: string) {}

  /**
   * The loaded run of a model (loaded again when its checkpoint or quantization record changed).
   *
   * @throws VesaliusError when there is no such model
   */
  get(name: string): ServedRun {
    const dir = modelDir(this.root, name);
    if (!dir) throw new VesaliusError(`no model named ${JSON.stringify(name)}`);
    const which = servedCheckpoint(dir);
    const int8 = isInt8Run(dir);
    const files = [which === 'best' ? runPaths(dir).best : runPaths(dir).last];
    if (int8) files.push(join(dir, QUANTIZATION_FILE));
    const mtime = Math.max(...files.map((f) => statSync(f).mtimeMs));
    const cached = this.runs.get(name);
    if (cached && cached.mtime === mtime) return cached.run;
    if (cached) disposeRun(cached.run);
    const run = int8 ? loadInt8Run(dir) : loadRun(dir, { checkpoint: which });
    this.runs.set(name, { run, mtime });
    return run;
  }
}

/**
 * The training tasks by name: a config's `task` key (segmentation when left out) picks the schema
 * that validates it and the task that `train` runs. A new task registers itself in TASKS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FileFormatError, OptionError } from '../util/errors.js';
import { classificationTask } from './classification/task.js';
import { readConfigFile } from './config.js';
import { detectionTask } from './detection-task.js';
import { segmentationTask } from './segmentation-task.js';
import type { LoopConfig, TrainingTask } from './task.js';

export const TASKS: Record<string, TrainingTask<LoopConfig>> = {
  segmentation: segmentationTask as unknown as TrainingTask<LoopConfig>,
  classification: classificationTask as unknown as TrainingTask<LoopConfig>,
  detection: detectionTask as unknown as TrainingTask<LoopConfig>,
};

export type TaskName = keyof typeof TASKS;

/** The task a parsed config object names (segmentation when it names none). */
export function taskOf(raw: unknown, source = 'config'): TrainingTask<LoopConfig> {
  const name = (raw as { task?: unknown } | null)?.task ?? 'segmentation';
  const task = typeof name === 'string' && Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!task)
    throw new OptionError(
      `${source}: task`,
      `expected one of ${Object.keys(TASKS).join(', ')}, got ${JSON.stringify(name)}`,
    );
  return task;
}

/** Reads a config file of any task: its task and its validated config, relative paths resolved. */
export function loadTaskConfig(path: string): { task: TrainingTask<LoopConfig>; config: LoopConfig } {
  const raw = readConfigFile(path);
  const task = taskOf(raw, path);
  return { task, config: task.parseConfig(raw, path, dirname(resolve(path))) };
}

/** The task of a run folder, from its config.json. */
export function taskOfRun(runDir: string): string {
  const path = resolve(runDir, 'config.json');
  if (!existsSync(path)) return 'segmentation';
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { task?: string };
    return raw.task ?? 'segmentation';
  } catch (err) {
    throw new FileFormatError(path, `cannot read the run config (${(err as Error).message})`);
  }
}

/** A detection run folder, ready to predict: its config, classes and the detector with the chosen weights. */
import { existsSync, readFileSync } from 'node:fs';
import { loadModule } from '../engine/safetensors.js';
import { Detector } from '../detection/detector.js';
import { FileFormatError, VesaliusError } from '../util/errors.js';
import { type DetectionConfig, parseDetectionConfig } from './detection-config.js';
import { detectorOptions } from './detection-data.js';
import { runPaths } from './run-folder.js';

export interface DetectionRun {
  config: DetectionConfig;
  classes: string[];
  channels: number;
  model: Detector;
  checkpoint: string;
}

/** Whether a folder (or a checkpoint inside one) is a detection run. */
export function isDetectionRun(path: string): boolean {
  const dir = /\.safetensors$/i.test(path) ? `${path}/../..` : path;
  const p = runPaths(dir);
  if (!existsSync(p.dataset)) return false;
  try {
    return (JSON.parse(readFileSync(p.dataset, 'utf8')) as { task?: string }).task === 'detection';
  } catch {
    return false;
  }
}

export function loadDetectionRun(runDir: string, checkpoint?: 'best' | 'last'): DetectionRun {
  const p = runPaths(runDir);
  const read = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (err) {
      throw new FileFormatError(path, `cannot read (${(err as Error).message})`);
    }
  };
  const config = parseDetectionConfig(read(p.config), p.config);
  const info = read(p.dataset) as { classes?: string[]; channels?: number };
  if (!Array.isArray(info.classes) || !Number.isInteger(info.channels))
    throw new FileFormatError(p.dataset, 'expected {task: detection, classes, channels}');
  const which = checkpoint ?? (existsSync(p.best) ? 'best' : 'last');
  const file = which === 'best' ? p.best : p.last;
  if (!existsSync(file))
    throw new VesaliusError(`${runDir}: no ${which} checkpoint (checkpoints/${which}.safetensors)`);
  const model = new Detector(detectorOptions(config, info.channels!, info.classes.length));
  loadModule(model, file);
  model.eval();
  return { config, classes: info.classes, channels: info.channels!, model, checkpoint: file };
}

/**
 * `vesalius train` for a classical baseline (config `method.name` otsu, threshold, random_forest or
 * svm): the same dataset, plan, preprocessing and split as the network, fitted in one pass, saved as
 * checkpoints/baseline.safetensors in a run folder that `predict`, `cv` and `report` read like a
 * network's. The log has one entry: fit time, what was fitted and, with validation cases, their Dice.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitBaseline, loadBaseline, type BaselineModel, type TrainingImage } from '../baselines/model.js';
import type { PreprocessedCase } from '../data/preprocess.js';
import { argmaxChannels } from '../infer/postprocess.js';
import { VesaliusError } from '../util/errors.js';
import { prepareTrainingData } from './data.js';
import { openPlanSource } from './plan-source.js';
import { readLog, runPaths, writeLog, writeRunSetup } from './run-folder.js';
import type { EpochLog, TrainOptions, TrainResult } from './trainer.js';
import { dicePerClass } from './validation.js';

/** Where a baseline run keeps its fitted model. */
export function baselinePath(runDir: string): string {
  return join(runPaths(runDir).checkpoints, 'baseline.safetensors');
}

export function trainingImage(c: PreprocessedCase): TrainingImage {
  if (!c.label) throw new VesaliusError(`case ${c.id}: a baseline trains on labelled cases only`);
  return {
    id: c.id,
    data: c.data,
    channels: c.channels,
    shape: c.shape,
    spacing: c.properties.grid.spacing,
    label: c.label,
    roi: c.roi,
  };
}

/**
 * Fits the config's baseline on its training cases and writes a run folder (`train` calls it for a
 * config whose method is not the network).
 *
 * @param configPath a training config whose `method.name` is a baseline
 * @param options the run folder, progress, the preprocessing cache
 * @returns the run folder, with the validation Dice as the metric when there are validation cases
 * @throws VesaliusError when the folder already holds a fitted baseline; OptionError when the baseline
 *   cannot do the dataset's task (e.g. Otsu with more than two classes)
 */
export async function trainBaseline(configPath: string, options: TrainOptions = {}): Promise<TrainResult> {
  const config0 = openPlanSource(configPath).config!;
  const runDir = resolve(options.out ?? config0.output);
  const modelPath = baselinePath(runDir);
  const say = (line: string) =>
    typeof options.progress === 'object'
      ? options.progress.log(line)
      : options.progress === false
        ? undefined
        : process.stderr.write(`${line}\n`);
  if (existsSync(modelPath)) {
    if (!options.resume)
      throw new VesaliusError(
        `${runDir} already holds a fitted ${config0.method.name}; choose another folder with --out`,
      );
    say(`${runDir}: the ${config0.method.name} baseline is already fitted`);
    const log = readLog(runDir) as unknown as EpochLog[];
    const last = log.at(-1);
    return finished(runDir, last?.val_mean_dice ?? null, 0, log);
  }
  const started = performance.now();
  const data = await prepareTrainingData(configPath, {
    cacheDir: options.cacheDir ?? join(runDir, 'preprocessed'),
    onStage: say,
  });
  const { config, plan } = data;
  const dims = plan.dimension === '2d' ? 2 : 3;
  const K = data.datasetInfo.numClasses;
  writeRunSetup(runDir, { config, plan, datasetInfo: data.datasetInfo, splits: data.folds });
  say(`fitting ${config.method.name} on ${data.train.length} case(s), validating ${data.val.length}`);
  const model = fitBaseline(config.method, data.train.map(trainingImage), K, dims, config.seed, say);
  const fitSeconds = (performance.now() - started) / 1000;
  model.save(modelPath);
  const entry: EpochLog & Record<string, unknown> = {
    epoch: 1,
    iteration: 0,
    train_loss: Number.NaN,
    lr: 0,
    epoch_seconds: fitSeconds,
    data_wait_seconds: 0,
    images_per_second: data.train.length / fitSeconds,
    method: config.method.name,
    fitted: model.summary,
  };
  if (data.val.length > 0) {
    const v = validateBaseline(model, data.val);
    Object.assign(entry, { val_dice: v.dicePerClass, val_mean_dice: v.meanDice, val_seconds: v.seconds });
    say(`validation: mean Dice ${v.meanDice.toFixed(4)} over ${data.val.length} case(s)`);
  }
  writeLog(runDir, [JSON.parse(JSON.stringify(entry))]);
  return finished(runDir, (entry.val_mean_dice as number | undefined) ?? null, fitSeconds, [entry]);
}

function finished(runDir: string, metric: number | null, seconds: number, log: EpochLog[]): TrainResult {
  return {
    runDir,
    task: 'segmentation',
    metricName: 'mean val Dice',
    epochsDone: 1,
    iterations: 0,
    bestMetric: metric,
    bestEpoch: metric === null ? null : 1,
    stoppedEarly: false,
    trainSeconds: seconds,
    dataWaitSeconds: 0,
    log,
  };
}

/** Dice per foreground class of a baseline on preprocessed cases (evaluate's empty-mask rule). */
export function validateBaseline(
  model: BaselineModel,
  cases: readonly PreprocessedCase[],
): { dicePerClass: number[]; meanDice: number; seconds: number } {
  const start = performance.now();
  const sums = new Float64Array(model.numClasses - 1);
  for (const c of cases) {
    const image = trainingImage(c);
    const pred = argmaxChannels(model.predict(image), model.numClasses) as Uint8Array;
    dicePerClass(pred, image.label, model.numClasses, image.roi).forEach((d, k) => (sums[k]! += d));
  }
  const perClass = Array.from(sums, (s) => s / cases.length);
  return {
    dicePerClass: perClass,
    meanDice: perClass.reduce((a, b) => a + b, 0) / perClass.length,
    seconds: (performance.now() - start) / 1000,
  };
}

/** A fitted baseline run's model (for `predict`). */
export function loadBaselineModel(runDir: string): BaselineModel {
  const path = baselinePath(runDir);
  if (!existsSync(path)) throw new VesaliusError(`${runDir}: no fitted baseline (checkpoints/baseline.safetensors)`);
  return loadBaseline(path);
}

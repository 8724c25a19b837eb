/**
 * `vesalius explain`: heatmaps of a classification run's decision for each input image, written with
 * the input's geometry (NIfTI, float32, normalised to [0, 1]) and as a PNG overlay, optionally with a
 * pseudo-mask (the map thresholded: weak supervision from image-level labels).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleImage } from '../data/classification/dataset.js';
import { prepareInput } from '../data/classification/preprocess.js';
import { caseIdOf } from '../io/case-id.js';
import { inputTensor } from '../train/classification/inference.js';
import { type ClassificationRun, samplesFromPaths } from '../train/classification/run.js';
import { inputSpec } from '../train/classification/samples.js';
import { OptionError } from '../util/errors.js';
import { type CamMethod, gradCam } from './gradcam.js';
import { heatmapOnInput, normalizeMap } from './heatmap.js';
import { occlusionSensitivity } from './occlusion.js';
import { writeExplanation } from './write-explanation.js';

export type ExplainMethod = CamMethod | 'occlusion';
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['gradcam', 'gradcam++', 'occlusion'];

export interface ExplainOptions {
  method: ExplainMethod;
  /**
   * Grad-CAM layer (default: the network's `camLayer`: ResNet layer4, DenseNet features.norm5, VGG its
   * last convolution stage, ViT the last block's ln_1 with its tokens laid on the patch grid).
   */
  layer?: string;
  /** Class to explain (index or name; default: the predicted one). */
  classIndex?: number | string;
  output: string;
  /** Also write the map thresholded at this value (0..1) as a 0/1 mask. */
  mask?: number;
  occlusionWindow?: number;
}

export interface ExplainedImage {
  input: string;
  classIndex: number;
  className: string;
  heatmap: string;
  overlay: string;
  mask?: string;
}

function classOf(run: ClassificationRun, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const byName = run.info.classes.indexOf(String(value));
  if (byName >= 0) return byName;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0 && n < run.info.classes.length) return n;
  throw new OptionError(
    'class',
    `'${value}' is neither a class name nor an index (classes: ${run.info.classes.join(', ')})`,
  );
}

/**
 * Explains a classification run's decision for each input: heatmap (NIfTI, the input's geometry),
 * PNG overlay and optional pseudo-mask in `options.output`.
 * @example
 * await explainImages(loadClassificationRun('runs/pneumonia'), ['xray.png'], { method: 'gradcam', output: 'cams' });
 */
export async function explainImages(
  run: ClassificationRun,
  inputs: readonly string[],
  o: ExplainOptions,
): Promise<ExplainedImage[]> {
  if (!EXPLAIN_METHODS.includes(o.method))
    throw new OptionError('method', `must be one of ${EXPLAIN_METHODS.join(', ')}, got '${o.method}'`);
  if (o.mask !== undefined && !(o.mask > 0 && o.mask <= 1))
    throw new OptionError('mask', `must lie in (0, 1], got ${o.mask}`);
  const c = run.config;
  const classIndex = classOf(run, o.classIndex);
  mkdirSync(o.output, { recursive: true });
  const out: ExplainedImage[] = [];
  const spec = await inputSpec(c);
  for (const sample of samplesFromPaths(inputs)) {
    const image = await loadSampleImage(sample);
    const source = sample.paths!.join(',');
    const prepared = prepareInput(image, spec, source);
    const x = inputTensor([prepared.data], {
      channels: prepared.channels,
      size: c.input.size,
      mean: c.input.mean,
      std: c.input.std,
      multiLabel: run.info.multiLabel,
      batchSize: 1,
    });
    let result: { map: Float32Array; classIndex: number };
    try {
      result =
        o.method === 'occlusion'
          ? occlusionSensitivity(run.model, x, {
              classIndex,
              multiLabel: run.info.multiLabel,
              window: o.occlusionWindow,
            })
          : gradCam(run.model, x, { layer: o.layer ?? run.model.camLayer, method: o.method, classIndex });
    } finally {
      x.dispose();
    }
    const heat = normalizeMap(heatmapOnInput(result.map, prepared.grid, image));
    const id = caseIdOf(sample.paths![0]!);
    const base = join(o.output, `${id}_${o.method.replace('++', 'pp')}`);
    out.push(
      await writeExplanation(
        image,
        heat,
        base,
        { input: source, classIndex: result.classIndex, className: run.info.classes[result.classIndex]! },
        o.mask,
      ),
    );
  }
  return out;
}

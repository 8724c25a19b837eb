/**
 * `vesalius explain` for segmentation runs: Grad-CAM / Grad-CAM++ of one class's logits summed over a
 * region (by default where the network itself predicts that class), computed on the case preprocessed
 * exactly as `predict` does it (the whole image, padded to what the U-Net's pooling divides; a 2D plan
 * slice by slice), then taken back to the input's grid through the same restore as the probabilities —
 * so the heatmap has the input's geometry, slice count included.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { extractBox } from '../data/crop.js';
import { restoreToOriginal } from '../data/preprocess.js';
import { groupInputs, networkInputs, readCase } from '../infer/predict.js';
import { createImage } from '../io/image.js';
import type { LoadedRun } from '../train/run-folder.js';
import { OptionError } from '../util/errors.js';
import type { ExplainedImage } from './explain.js';
import { type CamMethod, gradCam } from './gradcam.js';
import { normalizeMap } from './heatmap.js';
import { writeExplanation } from './write-explanation.js';

/** What `explainSegmentation` is asked. */
export interface SegmentationExplainOptions {
  method: CamMethod;
  /** Grad-CAM layer (default: the decoder's last stage, the finest feature map before the logits). */
  layer?: string;
  /** Class to explain, index or name (default: the first foreground class). */
  classIndex?: number | string;
  output: string;
  /** Also write the map thresholded at this value (0..1) as a 0/1 mask. */
  mask?: number;
  /** Called when a case's region is empty (the network predicts none of the class there). */
  onWarning?: (message: string) => void;
}

function segmentationClass(run: LoadedRun, value: number | string | undefined): number {
  const names = run.datasetInfo.labels.map((l) => l.name);
  if (value === undefined) return 1;
  const byName = names.indexOf(String(value));
  const n = byName >= 0 ? byName : Number(value);
  if (Number.isInteger(n) && n >= 1 && n < run.datasetInfo.numClasses) return n;
  throw new OptionError(
    'class',
    `'${value}' is not a foreground class of this run (classes: ${names.slice(1).join(', ')}, or 1..${run.datasetInfo.numClasses - 1})`,
  );
}

/** Pads (N, C, ...spatial) at the end of each spatial axis up to a multiple of `divisors` (tensor order). */
function padToDivisors(x: Tensor, divisors: readonly number[]): { padded: Tensor; size: number[] } {
  const size = x.shape.slice(2);
  const pads: number[] = [];
  for (let d = size.length - 1; d >= 0; d--) {
    const target = Math.ceil(size[d]! / divisors[d]!) * divisors[d]!;
    pads.push(0, target - size[d]!);
  }
  return { padded: pads.some((p) => p > 0) ? ve.pad(x, pads, 'constant', 0) : x, size };
}

/** Crops a flat map of tensor shape `full` (C-order, last axis fastest) to its leading corner of shape `size`. */
function cropMap(map: Float32Array, full: readonly number[], size: readonly number[]): Float32Array {
  if (full.every((n, d) => n === size[d])) return map;
  // the crop helpers take image order [i, j, k] (first axis fastest): the tensor order reversed
  const ijk = (s: readonly number[]) => [...[...s].reverse(), 1, 1].slice(0, 3) as [number, number, number];
  return extractBox(map, ijk(full), { start: [0, 0, 0], end: ijk(size) }).data;
}

/**
 * Explains a segmentation run's prediction of one class for each input case: heatmap (NIfTI with the
 * input's geometry), PNG overlay and optional pseudo-mask in `options.output`.
 *
 * @param run - a loaded segmentation run (`loadRun`).
 * @param inputs - images or DICOM folders; a case's channel files joined by commas, as `predict` takes them.
 * @throws OptionError `class`, `layer` or `mask` when they do not fit the run.
 * @example
 * await explainSegmentation(loadRun('runs/drive'), ['retina.tif'], { method: 'gradcam', output: 'cams' });
 */
export async function explainSegmentation(
  run: LoadedRun,
  inputs: readonly string[],
  o: SegmentationExplainOptions,
): Promise<ExplainedImage[]> {
  if (o.mask !== undefined && !(o.mask > 0 && o.mask <= 1))
    throw new OptionError('mask', `must lie in (0, 1], got ${o.mask}`);
  const classIndex = segmentationClass(run, o.classIndex);
  const className = run.datasetInfo.labels[classIndex]?.name ?? String(classIndex);
  const layer = o.layer ?? `decoder.stages.${run.model.decoder.stages.length - 1}`;
  // the plan's pools per axis are in image order (i, j, k); tensors are (…, k, j, i)
  const divisors = [...run.plan.pools_per_axis].reverse().map((p) => 2 ** p);
  mkdirSync(o.output, { recursive: true });
  const out: ExplainedImage[] = [];
  for (const input of groupInputs([...inputs], run.plan.channels.length)) {
    const { first: image, channels } = await readCase(input, [run]);
    const { pre, inputs: tensors } = networkInputs(run, input.id, image, channels);
    const [ni, nj, nk] = pre.shape;
    const onGrid = new Float32Array(ni * nj * nk);
    let regionVoxels = 0;
    for (const { slice, tensor } of tensors()) {
      const map = tidy(() => {
        const { padded, size } = padToDivisors(tensor, divisors);
        const region = noGrad(() => ve.eq(ve.argmax(run.model.forward(padded) as Tensor, { dim: 1 }), classIndex));
        const count = region.sum().item() as number;
        regionVoxels += count;
        if (count === 0) return new Float32Array(size.reduce((a, b) => a * b, 1));
        const cam = gradCam(run.model, padded, { layer, method: o.method, classIndex, region });
        return cropMap(cam.map, padded.shape.slice(2), size);
      });
      tensor.dispose();
      if (slice === null) onGrid.set(map);
      else onGrid.set(map, slice * ni * nj);
    }
    if (regionVoxels === 0)
      o.onWarning?.(`${input.id}: the network predicts no '${className}' here; the heatmap is empty`);
    const restored = restoreToOriginal(onGrid, 1, pre.properties, 'probabilities');
    const heat = normalizeMap(
      createImage(restored, image.shape.slice(0, 3), {
        spacing: image.spacing,
        origin: image.origin,
        direction: image.direction,
      }),
    );
    const base = join(o.output, `${input.id}_${o.method.replace('++', 'pp')}`);
    out.push(
      await writeExplanation(image, heat, base, { input: input.files.join(','), classIndex, className }, o.mask),
    );
  }
  return out;
}

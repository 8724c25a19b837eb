/**
 * `predict` for detection runs: each input image is read, prepared as in training, searched (whole, or
 * by sliding window, with optional mirroring), and its boxes taken back to the input's own voxels
 * and to patient coordinates; `<case>.json`, `<case>.csv` and (2D) `<case>.png` go to the output folder.
 */
import { mkdirSync } from 'node:fs';
import * as ve from '../engine/index.js';
import type { Detector } from '../detection/detector.js';
import { type PrepareOptions, prepareImage, scaleBoxes } from '../detection/prepare.js';
import { caseIdOf } from '../io/case-id.js';
import { readImage } from '../io/read.js';
import { type DetectOptions, detectImage } from './detect.js';
import { caseDetections, writeCaseDetections } from './detect-output.js';

export interface DetectFilesOptions {
  output: string;
  classes: string[];
  prepare: PrepareOptions;
  detect: DetectOptions;
  overlays?: boolean;
  onCase?: (id: string, index: number, total: number) => void;
}

export async function predictDetectionFiles(
  model: Detector,
  inputs: readonly string[],
  o: DetectFilesOptions,
): Promise<Array<{ case: string; files: string[]; detections: number }>> {
  mkdirSync(o.output, { recursive: true });
  const out: Array<{ case: string; files: string[]; detections: number }> = [];
  for (let i = 0; i < inputs.length; i++) {
    const path = inputs[i]!;
    const id = caseIdOf(path);
    o.onCase?.(id, i, inputs.length);
    const image = await readImage(path);
    const prepared = prepareImage(image, path, o.prepare);
    const tensor = ve.Tensor.from(prepared.data, [prepared.channels, ...prepared.size]);
    const found = detectImage(model, tensor, o.detect);
    tensor.dispose();
    const back = {
      ...found,
      boxes: scaleBoxes(
        found.boxes,
        found.dims,
        prepared.factor.map((f) => 1 / f),
      ),
    };
    const record = caseDetections(id, path, back, o.classes, prepared.original);
    const files = await writeCaseDetections(o.output, record, o.overlays === false ? undefined : image);
    out.push({ case: id, files, detections: record.detections.length });
  }
  return out;
}

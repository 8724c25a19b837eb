/**
 * A detection dataset: images with boxes in each image's voxel coordinates (corners layout,
 * boxes.ts) and class names. Every reader checks its input the same way (`checkBoxes`), under a
 * documented policy for bad boxes — nothing is dropped silently:
 *  - a zero-size or inverted box, or one entirely outside the image: skipped with a warning naming
 *    the file and the box ('warn', default), or an error ('error');
 *  - a box reaching past the image border: clipped to the image, with a warning ('warn'), or an error;
 *  - a class outside the declared ones, or an annotation whose image file is missing: always an error.
 * Warnings are collected in `warnings` (the trainer and `evaluate` print them).
 */
import { existsSync } from 'node:fs';
import { FileFormatError } from '../../util/errors.js';
import type { BoxDims, BoxSet } from '../boxes.js';

export type BadBoxPolicy = 'warn' | 'error';

export interface DetectionCase {
  id: string;
  /** Image file (a raster, NIfTI, MHA, DICOM folder …). */
  image: string;
  /** Boxes in the image's voxel coordinates; labels index `classes`. */
  boxes: BoxSet;
  /** Where the annotations came from (for messages). */
  source: string;
}

export interface DetectionDataset {
  name: string;
  dims: BoxDims;
  classes: string[];
  cases: DetectionCase[];
  warnings: string[];
}

/**
 * Checks and cleans the boxes of one image of `size` voxels [ni, nj(, nk)] against the policy; returns
 * the boxes kept (clipped). `file` names the annotation in messages.
 */
export function checkBoxes(
  boxes: BoxSet,
  size: readonly number[],
  file: string,
  policy: BadBoxPolicy,
  warnings: string[],
): BoxSet {
  const dims = boxes.dims,
    w = 2 * dims;
  const keep: number[] = [];
  const out = Float64Array.from(boxes.boxes);
  const describe = (b: number) => `[${Array.from(boxes.boxes.subarray(b * w, b * w + w)).join(', ')}]`;
  const problem = (message: string) => {
    if (policy === 'error') throw new FileFormatError(file, `${message} (skip such boxes with bad_boxes: warn)`);
    warnings.push(`${file}: ${message}`);
  };
  for (let b = 0; b < boxes.labels.length; b++) {
    let degenerate = false,
      outside = false,
      clipped = false;
    for (let a = 0; a < dims; a++) {
      const lo = boxes.boxes[b * w + a]!,
        hi = boxes.boxes[b * w + dims + a]!;
      if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) degenerate = true;
      else if (hi <= 0 || lo >= size[a]!) outside = true;
      else if (lo < 0 || hi > size[a]!) clipped = true;
    }
    if (degenerate) {
      problem(`box ${b} ${describe(b)} has zero size or is inverted: skipped`);
      continue;
    }
    if (outside) {
      problem(`box ${b} ${describe(b)} lies outside the image of size [${size.join(', ')}]: skipped`);
      continue;
    }
    if (clipped) {
      problem(`box ${b} ${describe(b)} reaches past the image of size [${size.join(', ')}]: clipped`);
      for (let a = 0; a < dims; a++) {
        out[b * w + a] = Math.max(0, out[b * w + a]!);
        out[b * w + dims + a] = Math.min(size[a]!, out[b * w + dims + a]!);
      }
    }
    keep.push(b);
  }
  const rows = new Float64Array(keep.length * w);
  keep.forEach((b, i) => rows.set(out.subarray(b * w, b * w + w), i * w));
  return { dims, boxes: rows, labels: Int32Array.from(keep, (b) => boxes.labels[b]!) };
}

/** The index of a class name, or a FileFormatError naming the file and the declared classes. */
export function classIndex(classes: readonly string[], name: string, file: string): number {
  const i = classes.indexOf(name);
  if (i < 0)
    throw new FileFormatError(file, `class '${name}' is not one of the declared classes (${classes.join(', ')})`);
  return i;
}

/** The image an annotation refers to, which must exist. */
export function requireImage(path: string, annotation: string): string {
  if (!existsSync(path)) throw new FileFormatError(annotation, `its image ${path} does not exist`);
  return path;
}

/**
 * Cutting sampled patches out of preprocessed cases and stacking them into a batch laid out like
 * an engine tensor: images [B, C, (k,) j, i] and labels [B, (k,) j, i], flat, i fastest. Parts of a
 * patch outside the case are padded with 0 (image and label), as nnU-Net does after its
 * "remove label -1" step.
 */
import { ShapeError } from '../util/errors.js';
import { type Box, extractBox } from './crop.js';
import type { PreprocessedCase } from './preprocess.js';
import type { PatchBox } from './sampler.js';

/** The patch as a crop box of the case's [i, j, k] grid (a 2D patch spans k = [0, 1)). */
export function patchToBox(patch: Pick<PatchBox, 'start' | 'size'>): Box {
  const s = patch.start,
    z = patch.size;
  return {
    start: [s[0]!, s[1]!, s[2] ?? 0],
    end: [s[0]! + z[0]!, s[1]! + z[1]!, (s[2] ?? 0) + (z[2] ?? 1)],
  };
}

export interface Patch {
  /** [C, ...patch] flat. */
  image: Float32Array;
  /** [...patch] flat, when the case has a label. */
  label?: Uint8Array;
  roi?: Uint8Array;
}

export function extractPatch(c: PreprocessedCase, patch: Pick<PatchBox, 'start' | 'size'>): Patch {
  if (patch.size.length === 2 && c.shape[2] !== 1) {
    throw new ShapeError(`case ${c.id}: a 2D patch needs a 2D case (k = 1), got shape [${c.shape.join(', ')}]`);
  }
  const box = patchToBox(patch);
  const image = extractBox(c.data, [...c.shape, c.channels], box).data;
  const label = c.label ? extractBox(c.label, c.shape, box).data : undefined;
  const roi = c.roi ? extractBox(c.roi, c.shape, box).data : undefined;
  return { image, label, roi };
}

export interface Batch {
  images: Float32Array;
  labels?: Uint8Array;
  /** [B, C, ...patch reversed]: the engine tensor shape of `images`. */
  imageShape: number[];
  /** [B, ...patch reversed]. */
  labelShape: number[];
}

/** Stacks patches of `cases[box.caseIndex]` (all of one size) into a batch. */
export function assembleBatch(cases: readonly PreprocessedCase[], boxes: readonly PatchBox[]): Batch {
  if (boxes.length === 0) throw new ShapeError('a batch needs at least one patch');
  const size = boxes[0]!.size;
  const voxels = size.reduce((a, b) => a * b, 1);
  const channels = cases[boxes[0]!.caseIndex]!.channels;
  const withLabels = boxes.every((b) => cases[b.caseIndex]!.label !== undefined);
  const images = new Float32Array(boxes.length * channels * voxels);
  const labels = withLabels ? new Uint8Array(boxes.length * voxels) : undefined;
  boxes.forEach((b, n) => {
    if (b.size.join() !== size.join())
      throw new ShapeError(`patch ${n} is ${b.size.join('×')}, patch 0 is ${size.join('×')}`);
    const c = cases[b.caseIndex]!;
    if (c.channels !== channels) throw new ShapeError(`case ${c.id} has ${c.channels} channels, expected ${channels}`);
    const p = extractPatch(c, b);
    images.set(p.image, n * channels * voxels);
    if (labels) labels.set(p.label!, n * voxels);
  });
  const spatial = [...size].reverse();
  return { images, labels, imageShape: [boxes.length, channels, ...spatial], labelShape: [boxes.length, ...spatial] };
}

/**
 * Cutting a sampled patch out of a preprocessed case, without augmentation (the batch loader reads
 * augmented patches through the spatial transform instead). Parts of a patch outside the case are
 * padded with 0 (image and label), as nnU-Net does after its "remove label -1" step.
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

/**
 * Cuts a patch (image order start and size) out of a preprocessed case, zero outside the case.
 * @throws ShapeError naming the case for a 2D patch on a 3D case
 */
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

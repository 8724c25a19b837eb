/**
 * nnU-Net's default rotation range, which depends on the patch's shape (nnU-Net v2:
 * configure_rotation_dummyDA_mirroring_and_inital_patch_size). nnU-Net also loads a patch larger than
 * the network's (batchgenerators' get_patch_size) so that the rotated and scaled final crop has no
 * empty corners; Vesalius does not need one: the batch loader's spatial transform reads the final
 * patch straight from the whole case (`Augmentation.applyFrom`), so rotated corners hold the case's
 * own voxels, and the sampler's patch positions (final patch inside the image, or centred on a
 * foreground voxel) are the ones nnU-Net's larger patch gives after its centre crop.
 * Axis order is the image's (i, j[, k]); angles in degrees.
 */

/**
 * nnU-Net's default rotation range for a patch: 2D ±180° (±15° when one side is > 1.5× the other);
 * 3D ±30° (±180° about the coarse axis only when the patch is > 3× longer in-plane: nnU-Net's
 * "dummy 2D" case, reported here as ±180°).
 */
export function defaultRotationDegrees(patchSize: readonly number[]): [number, number] {
  const max = Math.max(...patchSize),
    min = Math.min(...patchSize);
  if (patchSize.length === 2) return max / min > 1.5 ? [-15, 15] : [-180, 180];
  return max / min > 3 ? [-180, 180] : [-30, 30];
}

/** Predicted minus true volume, for one class. */
export interface VolumeDifference {
  /** Signed: positive when the prediction is larger (mm³; mm² × k-spacing for 2D images). */
  signedMm3: number;
  absoluteMm3: number;
  /** 100·(V_pred − V_gt)/V_gt; 0 when both are empty, null when only the truth is empty (see EMPTY_MASK_POLICY). */
  relativePercent: number | null;
}

/** Signed, absolute and relative volume differences of a prediction and a truth given their voxel counts. */
export function volumeDifference(predVoxels: number, gtVoxels: number, voxelVolumeMm3: number): VolumeDifference {
  const signedMm3 = (predVoxels - gtVoxels) * voxelVolumeMm3;
  let relativePercent: number | null;
  if (gtVoxels > 0) relativePercent = (100 * (predVoxels - gtVoxels)) / gtVoxels;
  else relativePercent = predVoxels === 0 ? 0 : null;
  return { signedMm3, absoluteMm3: Math.abs(signedMm3), relativePercent };
}

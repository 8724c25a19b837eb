/**
 * The features model monitoring tracks, one number each, computed the same way for the model's
 * training cases (from the run's fingerprint.json) and for every job's input (fingerprintCase on the
 * input, with the prediction as the foreground):
 *
 *   spacing_i/j/k, shape_i/j/k                     geometry
 *   <channel>.image_p01 / image_median / image_p99 intensities of the non-zero region
 *   <channel>.fg_median / fg_p00_5 / fg_p99_5      intensities of the (predicted) foreground
 *   volume.<class>                                 mm³ of each class (label, or prediction)
 *   entropy, tta_variance, mirror_disagreement     the prediction's uncertainty (jobs only)
 */
import type { CaseFingerprint, DatasetFingerprint } from '../../data/fingerprint.js';
import { voxelVolume } from '../../infer/postprocess.js';

export type Features = Record<string, number>;

/** Features of the input only (no prediction needed): these decide whether an input is out of distribution. */
export const INPUT_FEATURE = /^(spacing_|shape_|.+\.image_)/;

/**
 * The monitoring features of one case.
 *
 * @param c - a case fingerprint (fingerprintCase), with per-channel intensities
 * @param channels - channel names (feature names use them)
 * @param classes - class names by index
 */
export function caseFeatures(
  c: Pick<CaseFingerprint, 'spacing' | 'shape' | 'class_voxels' | 'intensity'>,
  channels: readonly string[],
  classes: readonly string[],
): Features {
  const f: Features = {};
  ['i', 'j', 'k'].forEach((axis, d) => {
    f[`spacing_${axis}`] = c.spacing[d]!;
    f[`shape_${axis}`] = c.shape[d]!;
  });
  c.intensity?.forEach((s, ch) => {
    const name = channels[ch] ?? `channel${ch}`;
    f[`${name}.image_p01`] = s.image_percentile_01;
    f[`${name}.image_median`] = s.image_median;
    f[`${name}.image_p99`] = s.image_percentile_99;
    if (!Number.isNaN(s.foreground_median)) {
      f[`${name}.fg_median`] = s.foreground_median;
      f[`${name}.fg_p00_5`] = s.foreground_percentile_00_5;
      f[`${name}.fg_p99_5`] = s.foreground_percentile_99_5;
    }
  });
  const unit = voxelVolume(c.shape, c.spacing);
  c.class_voxels.forEach((count, k) => {
    if (k > 0) f[`volume.${classes[k] ?? k}`] = count * unit;
  });
  return f;
}

/** The training distribution: one feature record per training case of the fingerprint. */
export function trainingFeatures(fingerprint: DatasetFingerprint, classes: readonly string[]): Features[] {
  return fingerprint.cases.map((c) => caseFeatures(c, fingerprint.channels, classes));
}

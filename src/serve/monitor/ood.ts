/**
 * Whether one input is out of distribution, judged against the training cases (documented in
 * docs/serving.md):
 * - wrong modality: the input names a modality (DICOM) that the model's channels do not (a CT model
 *   given MR);
 * - absurd spacing: an axis spacing more than twice the largest, or less than half the smallest,
 *   spacing seen in training (or not a positive finite number);
 * - intensities: a percentile of the non-zero region farther outside the training cases' range than
 *   that range is wide (at least 10% of the training median's magnitude): wrong modality or scaling.
 */
import type { Features } from './features.js';

export interface OodWarning {
  feature: string;
  value: number | string;
  expected: string;
  message: string;
}

/** The modality the model's channels imply ('CT', 'MR', 'PT'), or undefined when they do not say. */
export function expectedModality(
  channels: readonly string[],
  normalization: readonly string[] = [],
): string | undefined {
  if (normalization.includes('ct')) return 'CT';
  for (const name of channels) {
    if (/^ct\b/i.test(name)) return 'CT';
    if (/\b(mri?|t1\w*|t2\w*|flair|adc|dwi|pd|swi)\b/i.test(name)) return 'MR';
    if (/\b(pet|pt)\b/i.test(name)) return 'PT';
  }
  return undefined;
}

function range(values: number[]): { lo: number; hi: number; median: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { lo: sorted[0]!, hi: sorted[sorted.length - 1]!, median: sorted[Math.floor(sorted.length / 2)]! };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** Warnings for one input's features against the training cases' features. */
export function outOfDistribution(
  input: Features,
  training: readonly Features[],
  modality: { input: string | null; expected: string | undefined },
): OodWarning[] {
  const warnings: OodWarning[] = [];
  if (modality.input && modality.expected && modality.input.toUpperCase() !== modality.expected) {
    warnings.push({
      feature: 'modality',
      value: modality.input,
      expected: modality.expected,
      message: `wrong modality: the input is ${modality.input}, the model was trained on ${modality.expected}`,
    });
  }
  for (const [name, value] of Object.entries(input)) {
    const ref = training.map((t) => t[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (name.startsWith('spacing_')) {
      if (!(value > 0) || !Number.isFinite(value)) {
        warnings.push({ feature: name, value, expected: '> 0', message: `absurd spacing ${value} mm (${name})` });
        continue;
      }
      if (ref.length === 0) continue;
      const { lo, hi } = range(ref);
      if (value > 2 * hi || value < lo / 2)
        warnings.push({
          feature: name,
          value,
          expected: `${fmt(lo / 2)}–${fmt(2 * hi)}`,
          message: `absurd spacing: ${fmt(value)} mm along ${name.slice(-1)}, training had ${fmt(lo)}–${fmt(hi)} mm`,
        });
    } else if (/\.image_/.test(name) && ref.length > 0) {
      const { lo, hi, median } = range(ref);
      const tolerance = Math.max(hi - lo, 0.1 * Math.abs(median), 1e-6);
      if (value < lo - tolerance || value > hi + tolerance)
        warnings.push({
          feature: name,
          value,
          expected: `${fmt(lo - tolerance)}–${fmt(hi + tolerance)}`,
          message: `intensities unlike training: ${name} ${fmt(value)}, training ${fmt(lo)}–${fmt(hi)} (wrong modality or scaling?)`,
        });
    }
  }
  return warnings;
}

/**
 * Files whose pixels may show identifying text or faces, which no header edit removes (the Clean
 * Pixel Data and Clean Recognizable Visual Features options are not implemented): Burned In
 * Annotation YES (or absent where burned-in text is usual), Recognizable Visual Features YES,
 * ultrasound, secondary capture, photographs and video.
 */

/** Modalities where annotations are commonly burned into the pixels. */
const RISKY_MODALITIES = new Set(['US', 'IVUS', 'XC', 'ES', 'GM', 'SM', 'OT', 'DOC', 'VL']);

/** Why a file may carry burned-in identity, or undefined. */
export function burnedInReason(values: {
  burnedInAnnotation?: string;
  recognizableVisualFeatures?: string;
  modality?: string;
  sopClassUid?: string;
  hasPixels: boolean;
}): string | undefined {
  if (!values.hasPixels) return undefined;
  const burned = values.burnedInAnnotation?.toUpperCase();
  if (burned === 'YES') return 'Burned In Annotation is YES';
  if (values.recognizableVisualFeatures?.toUpperCase() === 'YES')
    return 'Recognizable Visual Features is YES (a face or photograph)';
  if (burned === 'NO') return undefined;
  const sop = values.sopClassUid ?? '';
  if (sop.startsWith('1.2.840.10008.5.1.4.1.1.7'))
    return 'a secondary capture (screenshots often show names and dates)';
  if (sop.startsWith('1.2.840.10008.5.1.4.1.1.6') || sop.startsWith('1.2.840.10008.5.1.4.1.1.3'))
    return 'an ultrasound image (usually annotated in the pixels)';
  if (sop.startsWith('1.2.840.10008.5.1.4.1.1.77')) return 'a visible-light (photographic) image';
  if (values.modality && RISKY_MODALITIES.has(values.modality.toUpperCase()))
    return `modality ${values.modality} without Burned In Annotation NO`;
  return undefined;
}

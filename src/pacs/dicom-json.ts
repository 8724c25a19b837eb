/** The DICOM JSON model (PS3.18 F.2) of QIDO-RS and STOW-RS responses. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[] } | undefined>;

/** The first value of `tag` ("0020000D") as text ('' when absent); person names give their alphabetic form. */
export function jsonText(item: DicomJson | undefined, tag: string): string {
  const value = item?.[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && value !== null && 'Alphabetic' in value)
    return String((value as { Alphabetic: unknown }).Alphabetic);
  return String(value);
}

/** The items of a sequence attribute. */
export function jsonItems(item: DicomJson | undefined, tag: string): DicomJson[] {
  return (item?.[tag]?.Value as DicomJson[] | undefined) ?? [];
}

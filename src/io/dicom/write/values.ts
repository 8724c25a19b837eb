/** Formatting of values for the text VRs of written datasets (PS3.5 6.2). */

/**
 * A Decimal String (DS) of at most 16 characters: the shortest of the number's own text and its
 * rounding to fewer significant digits (dcmjs would otherwise truncate the text and warn).
 */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`DS value must be finite, got ${value}`);
  const plain = String(value === 0 ? 0 : value);
  if (plain.length <= 16) return plain;
  for (let digits = 15; digits >= 1; digits--) {
    const text = String(Number(value.toPrecision(digits)));
    if (text.length <= 16) return text;
    const exponential = value.toExponential(digits - 1).replace('e+', 'e');
    if (exponential.length <= 16) return exponential;
  }
  return value.toExponential(0);
}

/** DS values for a vector. */
export function decimalStrings(values: readonly number[]): string[] {
  return values.map(decimalString);
}

/** DICOM date (DA, YYYYMMDD) and time (TM, HHMMSS.FFFFFF) of `at`, in local time. */
export function dicomDateTime(at: Date = new Date()): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}`,
    time: `${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}.${p(at.getMilliseconds() * 1000, 6)}`,
  };
}

/** A Code String (CS): upper case, only A-Z 0-9 space and underscore, at most 16 characters. */
export function codeString(text: string): string {
  const cleaned = text
    .toUpperCase()
    .replace(/[^A-Z0-9 _]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, 16)
    .trim();
  return cleaned || 'NONE';
}

/** A Long String (LO, 64 characters) or Short String (SH, 16): cut to length, without backslashes. */
export function longString(text: string, max = 64): string {
  return text.replace(/[\\\r\n]+/g, ' ').slice(0, max);
}

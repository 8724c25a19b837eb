/**
 * Label sanitation: turn whatever a label file stores into class indices, or refuse with an error
 * that names the file and the offending values.
 *
 * Rule (applied in this order):
 * 1. Every value must be an integer within 1e-3 (labels saved as float 0.0/1.0/2.0 are fine;
 *    0.5 or NaN is an error). Values are rounded.
 * 2. If every value is a declared class value, the labels are used as they are.
 * 3. Else, if the declared classes are exactly {0, 1} and the values are within {0, 255}
 *    (binary masks saved as 8-bit images), 255 is mapped to 1.
 * 4. Anything else is an error listing the values that are not declared classes.
 */
import { FileFormatError } from '../util/errors.js';

export interface SanitizedLabels {
  /** Class values, one per voxel (Uint8Array when every class is < 256). */
  data: Uint8Array | Uint16Array;
  /** What was done: 'as-is', 'rounded' (floats) and/or '255→1'. */
  mapping: string[];
}

const TOLERANCE = 1e-3;
const MAX_LISTED = 8;

/** Distinct values (rounded) and the non-integral values found, listing at most a few of the latter. */
function distinctValues(data: ArrayLike<number>): { values: Set<number>; nonIntegral: number[]; needsRounding: boolean } {
  const values = new Set<number>();
  const nonIntegral: number[] = [];
  let needsRounding = false;
  if (data instanceof Uint8Array) {
    const seen = new Uint8Array(256);
    for (let v = 0; v < data.length; v++) seen[data[v]!] = 1;
    seen.forEach((s, value) => s && values.add(value));
    return { values, nonIntegral, needsRounding };
  }
  for (let v = 0; v < data.length; v++) {
    const x = data[v]!;
    const r = Math.round(x);
    if (r !== x) {
      if (!(Math.abs(x - r) <= TOLERANCE)) {
        if (nonIntegral.length < MAX_LISTED && !nonIntegral.includes(x)) nonIntegral.push(x);
        continue;
      }
      needsRounding = true;
    }
    values.add(r);
  }
  return { values, nonIntegral, needsRounding };
}

/** Maps a label array onto the declared class values (see the module comment for the rule). */
export function sanitizeLabels(data: ArrayLike<number>, declared: readonly number[], path: string): SanitizedLabels {
  const { values, nonIntegral, needsRounding } = distinctValues(data);
  if (nonIntegral.length > 0) {
    throw new FileFormatError(path, `label values must be integers (within ${TOLERANCE}), found ${nonIntegral.join(', ')}`);
  }
  const classes = new Set(declared);
  const maxClass = Math.max(...declared);
  const mapping: string[] = [];
  if (needsRounding) mapping.push('rounded');
  let remap: ((x: number) => number) | undefined;
  const undeclared = [...values].filter((v) => !classes.has(v)).sort((a, b) => a - b);
  if (undeclared.length > 0) {
    const binary = classes.size === 2 && classes.has(0) && classes.has(1);
    if (binary && [...values].every((v) => v === 0 || v === 255)) {
      remap = (x) => (x === 0 ? 0 : 1);
      mapping.push('255→1');
    } else {
      const listed = undeclared.slice(0, MAX_LISTED).join(', ') + (undeclared.length > MAX_LISTED ? ', ...' : '');
      throw new FileFormatError(path, `label values ${listed} are not declared classes (${[...classes].sort((a, b) => a - b).join(', ')})`);
    }
  }
  const out = maxClass < 256 ? new Uint8Array(data.length) : new Uint16Array(data.length);
  for (let v = 0; v < data.length; v++) {
    const r = Math.round(data[v]!);
    out[v] = remap ? remap(r) : r;
  }
  if (mapping.length === 0) mapping.push('as-is');
  return { data: out, mapping };
}

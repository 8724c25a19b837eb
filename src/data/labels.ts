/**
 * Label sanitation: turn whatever a label file stores into class indices, or refuse with an error
 * that names the file and the offending values.
 *
 * Rule (applied in this order):
 * 1. Every value must be an integer within 1e-3 (labels saved as float 0.0/1.0/2.0 are fine;
 *    0.5 or NaN is an error). Values are rounded.
 * 2. An optional remap (raw value → class, e.g. BraTS {2: 1, 3: 1, 4: 1}) is applied.
 * 3. If every value is a declared class value, the labels are used as they are.
 * 4. Else, if the declared classes are exactly {0, 1} and the values are within {0, 255}
 *    (binary masks saved as 8-bit images), 255 is mapped to 1.
 * 5. Anything else is an error listing the values that are not declared classes.
 */
import { FileFormatError } from '../util/errors.js';

export interface SanitizedLabels {
  /** Class values, one per voxel (Uint8Array when every class is < 256). */
  data: Uint8Array | Uint16Array;
  /** What was done: 'as-is', 'rounded' (floats), 'remapped' and/or '255→1'. */
  mapping: string[];
}

const TOLERANCE = 1e-3;
const MAX_LISTED = 8;

/** Distinct rounded values and the non-integral values found (a few of them). */
function distinctValues(data: ArrayLike<number>): {
  values: Set<number>;
  nonIntegral: number[];
  needsRounding: boolean;
} {
  const values = new Set<number>();
  const nonIntegral: number[] = [];
  let needsRounding = false;
  if (data instanceof Uint8Array) {
    const seen = new Uint8Array(256);
    for (let v = 0; v < data.length; v++) seen[data[v]!] = 1;
    seen.forEach((s, value) => s && values.add(value));
    return { values, nonIntegral, needsRounding };
  }
  let last = NaN;
  for (let v = 0; v < data.length; v++) {
    const x = data[v]!;
    if (x === last) continue; // labels come in long runs
    last = x;
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
export function sanitizeLabels(
  data: ArrayLike<number>,
  declared: readonly number[],
  path: string,
  remap: Readonly<Record<number, number>> = {},
): SanitizedLabels {
  const { values: raw, nonIntegral, needsRounding } = distinctValues(data);
  if (nonIntegral.length > 0) {
    throw new FileFormatError(
      path,
      `label values must be integers (within ${TOLERANCE}), found ${nonIntegral.join(', ')}`,
    );
  }
  const classes = new Set(declared);
  const mapping: string[] = [];
  if (needsRounding) mapping.push('rounded');
  // value → class for every distinct raw value
  const table = new Map<number, number>();
  let remapped = false;
  for (const v of raw) {
    const m = remap[v];
    if (m !== undefined && m !== v) remapped = true;
    table.set(v, m ?? v);
  }
  if (remapped) mapping.push('remapped');
  const mappedValues = new Set(table.values());
  const undeclared = [...mappedValues].filter((v) => !classes.has(v)).sort((a, b) => a - b);
  if (undeclared.length > 0) {
    const binary = classes.size === 2 && classes.has(0) && classes.has(1);
    if (binary && [...mappedValues].every((v) => v === 0 || v === 255)) {
      for (const [k, v] of table) table.set(k, v === 255 ? 1 : v);
      mapping.push('255→1');
    } else {
      const listed = undeclared.slice(0, MAX_LISTED).join(', ') + (undeclared.length > MAX_LISTED ? ', ...' : '');
      throw new FileFormatError(
        path,
        `label values ${listed} are not declared classes (${[...classes].sort((a, b) => a - b).join(', ')})`,
      );
    }
  }
  const maxClass = Math.max(...declared);
  const out = maxClass < 256 ? new Uint8Array(data.length) : new Uint16Array(data.length);
  let lastIn = NaN;
  let lastOut = 0;
  for (let v = 0; v < data.length; v++) {
    const x = data[v]!;
    if (x !== lastIn) {
      lastIn = x;
      lastOut = table.get(Math.round(x))!;
    }
    out[v] = lastOut;
  }
  if (mapping.length === 0) mapping.push('as-is');
  return { data: out, mapping };
}

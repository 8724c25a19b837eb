import { item, text } from './attributes.js';
import type { DataSet } from './parse.js';

const PARAMETRIC_MAP_SOP = '1.2.840.10008.5.1.4.1.1.30';
const RWVM = 'x00409096';

/** How a Real World Value Mapping item (PS3.3 C.7.6.16.2.11) turns stored values into quantities. */
export type RealWorldMap =
  | { kind: 'linear'; slope: number; intercept: number }
  /** value = values[stored − first]; a stored value outside the table is an error (as in highdicom). */
  | { kind: 'lut'; first: number; values: Float64Array };

/**
 * Whether the Real World Value Mapping replaces the modality rescale: for Parametric Map storage and
 * for any floating point pixel data. (Other images, Philips MR for one, may carry a mapping too; there
 * the modality rescale is kept, as dcm2niix and pydicom keep it.)
 */
export function usesRealWorldMap(ds: DataSet): boolean {
  return text(ds, 'x00080016') === PARAMETRIC_MAP_SOP || !!ds.elements.x7fe00008 || !!ds.elements.x7fe00009;
}

function readMap(ds: DataSet, signed: boolean): RealWorldMap | undefined {
  const lut = ds.elements.x00409212;
  if (lut && lut.length >= 8) {
    const values = new Float64Array(Math.floor(lut.length / 8));
    for (let i = 0; i < values.length; i++) values[i] = ds.double('x00409212', i) ?? Number.NaN;
    // US or SS, by the pixel representation (an explicit VR says which, an implicit one does not)
    const vr = ds.elements.x00409216?.vr;
    const first = vr === 'SS' || (vr !== 'US' && signed) ? ds.int16('x00409216') : ds.uint16('x00409216');
    return { kind: 'lut', first: first ?? 0, values };
  }
  const slope = ds.double('x00409225');
  const intercept = ds.double('x00409224');
  if (slope === undefined && intercept === undefined) return undefined;
  return { kind: 'linear', slope: slope ?? 1, intercept: intercept ?? 0 };
}

/**
 * The first Real World Value Mapping of a frame, looked up as highdicom does: the top level, then the
 * shared functional groups, then the frame's own; the first item of the first sequence found.
 */
export function realWorldMap(
  ds: DataSet,
  shared: DataSet | undefined,
  perFrame: DataSet | undefined,
): RealWorldMap | undefined {
  const signed = ds.uint16('x00280103') === 1;
  for (const level of [ds, shared, perFrame]) {
    const first = item(level, RWVM);
    if (first) return readMap(first, signed);
  }
  return undefined;
}

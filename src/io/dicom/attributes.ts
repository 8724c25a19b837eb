import type { Vec3 } from '../image.js';
import type { DataSet } from './parse.js';

/** Small readers over dicom-parser datasets, by tag ('xGGGGEEEE'). */

export function numbers(ds: DataSet | undefined, tag: string): number[] | undefined {
  const text = ds?.string(tag);
  if (text === undefined || text.trim() === '') return undefined;
  const values = text.split('\\').map((v) => Number(v.trim()));
  return values.every((v) => Number.isFinite(v)) ? values : undefined;
}

export function number(ds: DataSet | undefined, tag: string): number | undefined {
  return numbers(ds, tag)?.[0];
}

export function text(ds: DataSet | undefined, tag: string): string | undefined {
  const v = ds?.string(tag);
  return v === undefined ? undefined : v.replace(/\0+$/, '').trim();
}

/** First item of a sequence. */
export function item(ds: DataSet | undefined, tag: string, index = 0): DataSet | undefined {
  return ds?.elements[tag]?.items?.[index]?.dataSet;
}

export function vec3(values: number[] | undefined): Vec3 | undefined {
  return values && values.length >= 3 ? [values[0]!, values[1]!, values[2]!] : undefined;
}

/** An unsigned integer of VR US/UL/IS wherever it came from (implicit VR stores IS as text). */
export function uint(ds: DataSet | undefined, tag: string): number | undefined {
  const el = ds?.elements[tag];
  if (!ds || !el) return undefined;
  if (el.vr === 'US') return ds.uint16(tag);
  if (el.vr === 'UL') return ds.uint32(tag);
  if (el.vr === 'IS' || el.vr === 'DS') return number(ds, tag);
  // implicit VR: guess from the length
  if (el.length === 2) return ds.uint16(tag);
  if (el.length === 4) return ds.uint32(tag);
  return number(ds, tag);
}

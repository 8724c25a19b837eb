/**
 * What each segment of a SEG is: number (the label value), label, coded category and type, colour.
 * Segments come from the label values present, from class names (a run's dataset.json, an nnU-Net or
 * MSD dataset.json, or a plain {"1": "liver"} map) and from full user specifications that override the
 * SNOMED CT table. A class that is named but absent from the label is kept as an empty segment.
 */
import { OptionError } from '../../../util/errors.js';
import { CATEGORY, checkCode, type Code, codesForName } from './codes.js';

export interface SegmentSpec {
  /** Segment number = the label value it describes (1..65535). */
  number: number;
  label?: string;
  category?: Code;
  type?: Code;
  typeModifier?: Code;
  anatomicRegion?: Code;
  description?: string;
  /** Display colour, sRGB 0..255. */
  color?: [number, number, number];
}

/** A fully described segment, as written. */
export interface Segment extends Required<Pick<SegmentSpec, 'number' | 'label' | 'category' | 'type' | 'color'>> {
  typeModifier?: Code;
  anatomicRegion?: Code;
  description?: string;
  /** No voxel of the label has this value: the segment is written with one empty frame and flagged. */
  empty: boolean;
  /** Voxels in the segment. */
  voxels: number;
}

/** Distinct display colours (sRGB) for segments 1, 2, 3 ... (repeating). */
const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 190],
];

function checkNumber(n: unknown, where: string): number {
  const v = typeof n === 'string' ? Number(n) : n;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535)
    throw new OptionError('segments', `${where}: segment number must be an integer 1..65535, got ${JSON.stringify(n)}`);
  return v;
}

function specFromEntry(number: number, entry: unknown): SegmentSpec {
  if (typeof entry === 'string') return { number, label: entry };
  if (!entry || typeof entry !== 'object')
    throw new OptionError('segments', `segment ${number}: expected a name or an object`);
  const e = entry as Record<string, unknown>;
  const spec: SegmentSpec = { number };
  if (e.label !== undefined) spec.label = String(e.label);
  if (e.description !== undefined) spec.description = String(e.description);
  for (const key of ['category', 'type', 'typeModifier', 'anatomicRegion'] as const)
    if (e[key] !== undefined) spec[key] = checkCode(e[key], `segment ${number} ${key}`);
  if (e.color !== undefined) {
    const c = e.color;
    if (!Array.isArray(c) || c.length !== 3 || c.some((x) => typeof x !== 'number' || x < 0 || x > 255))
      throw new OptionError('segments', `segment ${number}: color must be [r, g, b] in 0..255`);
    spec.color = [c[0], c[1], c[2]];
  }
  return spec;
}

/**
 * Segment specifications from JSON: `{"1": "liver", "2": {"label": ..., "type": {value, scheme,
 * meaning}, ...}}`, a list of specs with `number`, or a dataset.json (`labels` as nnU-Net v2's
 * {"name": value} or MSD's {"value": "name"}); background (0) is skipped.
 */
export function segmentsFromJson(json: unknown): SegmentSpec[] {
  if (Array.isArray(json))
    return json.map((e, i) => specFromEntry(checkNumber((e as { number?: unknown })?.number, `entry ${i}`), e));
  if (!json || typeof json !== 'object') throw new OptionError('segments', 'expected a JSON object or list');
  const root = json as Record<string, unknown>;
  const labels = root.labels && typeof root.labels === 'object' ? (root.labels as Record<string, unknown>) : undefined;
  if (labels && Array.isArray(root.labels)) {
    // a run's dataset info: [{name, value}]
    return (root.labels as { name: string; value: number }[])
      .filter((l) => l.value !== 0)
      .map((l) => ({ number: checkNumber(l.value, l.name), label: l.name }));
  }
  if (labels) {
    const out: SegmentSpec[] = [];
    for (const [key, value] of Object.entries(labels)) {
      if (/^\d+$/.test(key)) {
        if (Number(key) !== 0) out.push({ number: checkNumber(key, key), label: String(value) });
      } else if (typeof value === 'number') {
        if (value !== 0) out.push({ number: checkNumber(value, key), label: key });
      } else if (Array.isArray(value)) {
        throw new OptionError('segments', `label "${key}" is a region (several values): not a segment`);
      }
    }
    return out;
  }
  return Object.entries(root).map(([key, value]) => specFromEntry(checkNumber(key, key), value));
}

/** More segments than this in one SEG is a label map of something else (instance ids, intensities). */
export const MAX_SEGMENTS = 1024;

/**
 * The segments to write: every label value present (with its voxel count) and every specified one;
 * names map to SNOMED CT codes through the table, user codes win. `counts[v]` = voxels of value v.
 * With `consecutive` (BINARY: segment numbers run 1, 2, 3 ... by PS3.3 C.8.20.4) every number up to
 * the largest is a segment, the missing ones empty, so that segment number = label value always.
 */
export function resolveSegments(
  counts: ReadonlyMap<number, number>,
  specs: readonly SegmentSpec[] = [],
  options: { consecutive?: boolean } = {},
): Segment[] {
  const byNumber = new Map<number, SegmentSpec>();
  for (const s of specs) {
    if (byNumber.has(s.number)) throw new OptionError('segments', `segment ${s.number} is described twice`);
    byNumber.set(s.number, s);
  }
  let numbers = [...new Set([...counts.keys(), ...byNumber.keys()])].filter((n) => n !== 0).sort((a, b) => a - b);
  for (const n of numbers) checkNumber(n, `label value ${n}`);
  const largest = numbers[numbers.length - 1] ?? 0;
  if ((options.consecutive ? largest : numbers.length) > MAX_SEGMENTS)
    throw new OptionError(
      'segments',
      `${options.consecutive ? `label values up to ${largest} would make` : `${numbers.length} label values make`} more than ${MAX_SEGMENTS} segments: is this a label map?`,
    );
  if (options.consecutive) numbers = Array.from({ length: largest }, (_, i) => i + 1);
  return numbers.map((number, index) => {
    const spec = byNumber.get(number) ?? { number };
    const label = spec.label ?? `Segment ${number}`;
    const known = codesForName(label);
    const voxels = counts.get(number) ?? 0;
    const segment: Segment = {
      number,
      label,
      category: spec.category ?? known?.category ?? CATEGORY.tissue,
      type: spec.type ?? known?.type ?? CATEGORY.tissue,
      color: spec.color ?? PALETTE[index % PALETTE.length]!,
      empty: voxels === 0,
      voxels,
    };
    const modifier = spec.typeModifier ?? (spec.type ? undefined : known?.modifier);
    if (modifier) segment.typeModifier = modifier;
    if (spec.anatomicRegion) segment.anatomicRegion = spec.anatomicRegion;
    if (spec.description) segment.description = spec.description;
    return segment;
  });
}

/** sRGB (0..255) → CIE L*a*b* (D65) scaled to 0..65535 as Recommended Display CIELab Value (PS3.3 C.10.7.1.1). */
export function rgbToDicomLab(rgb: readonly [number, number, number]): [number, number, number] {
  const linear = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const [r, g, b] = linear;
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const L = 116 * f(y) - 16;
  const A = 500 * (f(x) - f(y));
  const B = 200 * (f(y) - f(z));
  const clamp = (v: number) => Math.max(0, Math.min(65535, Math.round(v)));
  return [clamp((L * 65535) / 100), clamp(((A + 128) * 65535) / 255), clamp(((B + 128) * 65535) / 255)];
}

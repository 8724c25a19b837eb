import type { Vec3 } from '../image.js';
import { item, number, numbers, text, uint, vec3 } from './attributes.js';
import type { Mosaic } from './mosaic.js';
import type { DataSet } from './parse.js';
import { type RealWorldMap, realWorldMap, usesRealWorldMap } from './real-world.js';

/** What one frame says about where it is and how to scale it. */
export interface FrameAttributes {
  /** ImagePositionPatient: centre of the first (top-left) pixel, LPS mm. */
  position?: Vec3;
  /** ImageOrientationPatient: row direction (along a row, as columns increase) and column direction. */
  rowCosine?: Vec3;
  columnCosine?: Vec3;
  /** [row spacing (between rows, along j), column spacing (between columns, along i)]. */
  pixelSpacing?: [number, number];
  /** Where pixelSpacing came from when not PixelSpacing (e.g. ImagerPixelSpacing). */
  pixelSpacingSource?: string;
  sliceThickness?: number;
  spacingBetweenSlices?: number;
  slope: number;
  intercept: number;
  /** A Real World Value LUT that replaces slope and intercept (parametric maps): value = values[s − first]. */
  valueLut?: { first: number; values: Float64Array };
  /** Ordering hints for frames at the same position (time points, echoes, stacks). */
  temporalIndex?: number;
  echo?: number;
  stackId?: string;
  /** Complex image component from ImageType (M, P, R, I ...): magnitude and phase never share a volume. */
  component?: string;
  acquisition?: number;
  instance?: number;
}

const SHARED = 'x52009229';
const PER_FRAME = 'x52009230';

/** Looks a macro up in the per-frame item first, then the shared item (PS3.3 C.7.6.16). */
function macro(perFrame: DataSet | undefined, shared: DataSet | undefined, sequenceTag: string): DataSet | undefined {
  return item(perFrame, sequenceTag) ?? item(shared, sequenceTag);
}

function orientation(values: number[] | undefined): { row?: Vec3; column?: Vec3 } {
  if (!values || values.length < 6) return {};
  return { row: [values[0]!, values[1]!, values[2]!], column: [values[3]!, values[4]!, values[5]!] };
}

function spacing(values: number[] | undefined): [number, number] | undefined {
  return values && values.length >= 2 && values[0]! > 0 && values[1]! > 0 ? [values[0]!, values[1]!] : undefined;
}

const COMPONENTS = new Set(['M', 'P', 'R', 'I', 'MAG', 'MAGNITUDE', 'PHASE', 'REAL', 'IMAGINARY']);

function imageComponent(ds: DataSet): string | undefined {
  const value = (text(ds, 'x00080008') ?? '').toUpperCase().split('\\')[2]?.trim();
  return value && COMPONENTS.has(value) ? value : undefined;
}

const CENTIMETRE = 3;

/**
 * Ultrasound pixel spacing in mm from the US Region Calibration (PS3.3 C.8.5.5): the physical deltas
 * of the regions measured in cm, when they all agree (GDCM reports the first region's deltas as they
 * are, in cm; here they are converted to mm like every other spacing).
 */
function ultrasoundSpacing(ds: DataSet): [number, number] | undefined {
  const regions = ds.elements.x00186011?.items ?? [];
  let found: [number, number] | undefined;
  for (const { dataSet: r } of regions) {
    if (!r || r.uint16('x00186024') !== CENTIMETRE || r.uint16('x00186026') !== CENTIMETRE) continue;
    const dx = r.double('x0018602c');
    const dy = r.double('x0018602e');
    if (!(dx !== undefined && dy !== undefined && dx > 0 && dy > 0)) continue;
    const mm: [number, number] = [dy * 10, dx * 10];
    if (found && (Math.abs(found[0] - mm[0]) > 1e-9 * mm[0] || Math.abs(found[1] - mm[1]) > 1e-9 * mm[1]))
      return undefined; // regions at different scales: no one spacing for the image
    found = mm;
  }
  return found;
}

/** A rescale slope of 0 would erase the image; some writers store it for "no rescale". */
function validSlope(slope: number | undefined): number | undefined {
  return slope === 0 ? undefined : slope;
}

/** A Real World Value Mapping, where it applies, replaces the modality rescale of a frame. */
function withRealWorldMap(a: FrameAttributes, map: RealWorldMap | undefined): FrameAttributes {
  if (!map) return a;
  if (map.kind === 'lut') return { ...a, slope: 1, intercept: 0, valueLut: { first: map.first, values: map.values } };
  return { ...a, slope: map.slope, intercept: map.intercept };
}

export function isEnhanced(ds: DataSet): boolean {
  return !!ds.elements[PER_FRAME] || !!ds.elements[SHARED];
}

/** Attributes of a classic (one frame per file, or classic multi-frame) image, from the top level. */
function classicAttributes(ds: DataSet): FrameAttributes {
  const o = orientation(numbers(ds, 'x00200037'));
  let pixelSpacing = spacing(numbers(ds, 'x00280030'));
  let pixelSpacingSource: string | undefined;
  if (!pixelSpacing) {
    pixelSpacing = spacing(numbers(ds, 'x00181164'));
    if (pixelSpacing) pixelSpacingSource = 'ImagerPixelSpacing';
  }
  if (!pixelSpacing) {
    pixelSpacing = ultrasoundSpacing(ds);
    if (pixelSpacing) pixelSpacingSource = 'SequenceOfUltrasoundRegions';
  }
  return {
    position: vec3(numbers(ds, 'x00200032')),
    rowCosine: o.row,
    columnCosine: o.column,
    pixelSpacing,
    pixelSpacingSource,
    sliceThickness: number(ds, 'x00180050'),
    spacingBetweenSlices: number(ds, 'x00180088'),
    // RT Dose scales its integers to Gy with DoseGridScaling instead of a rescale
    slope: validSlope(number(ds, 'x00281053') ?? number(ds, 'x3004000e')) ?? 1,
    intercept: number(ds, 'x00281052') ?? 0,
    temporalIndex: number(ds, 'x00200100'),
    echo: number(ds, 'x00180086'),
    component: imageComponent(ds),
    acquisition: number(ds, 'x00200012'),
    instance: number(ds, 'x00200013'),
  };
}

/** Attributes of frame `index` of an enhanced multi-frame image (functional groups). */
function enhancedAttributes(ds: DataSet, index: number): FrameAttributes {
  const shared = item(ds, SHARED);
  const perFrame = item(ds, PER_FRAME, index);
  const top = classicAttributes(ds);
  const plane = macro(perFrame, shared, 'x00209113');
  const orient = orientation(numbers(macro(perFrame, shared, 'x00209116'), 'x00200037'));
  const measures = macro(perFrame, shared, 'x00289110');
  const transform = macro(perFrame, shared, 'x00289145');
  const content = item(perFrame, 'x00209111');
  const echoMacro = macro(perFrame, shared, 'x00189114');
  const attributes: FrameAttributes = {
    position: vec3(numbers(plane, 'x00200032')) ?? top.position,
    rowCosine: orient.row ?? top.rowCosine,
    columnCosine: orient.column ?? top.columnCosine,
    pixelSpacing: spacing(numbers(measures, 'x00280030')) ?? top.pixelSpacing,
    pixelSpacingSource: spacing(numbers(measures, 'x00280030')) ? undefined : top.pixelSpacingSource,
    sliceThickness: number(measures, 'x00180050') ?? top.sliceThickness,
    spacingBetweenSlices: number(measures, 'x00180088') ?? top.spacingBetweenSlices,
    slope: validSlope(number(transform, 'x00281053')) ?? top.slope,
    intercept: number(transform, 'x00281052') ?? top.intercept,
    temporalIndex: uint(content, 'x00209128'),
    echo: number(echoMacro, 'x00189082'),
    stackId: text(content, 'x00209056'),
    acquisition: uint(content, 'x00209156'),
    instance: index + 1,
  };
  return usesRealWorldMap(ds) ? withRealWorldMap(attributes, realWorldMap(ds, shared, perFrame)) : attributes;
}

/**
 * Per-frame attributes of every frame of a dataset. Classic multi-frame images carry one position:
 * frame f is placed at position + offset_f · normal, with offsets from GridFrameOffsetVector (RT Dose;
 * relative when its first value is 0, else absolute along the normal) or f · SpacingBetweenSlices.
 * Frames without any such information keep the single position and are reported by the assembler.
 */
export function frameAttributes(ds: DataSet, frames: number): FrameAttributes[] {
  if (isEnhanced(ds)) return Array.from({ length: frames }, (_, f) => enhancedAttributes(ds, f));
  const classic = classicAttributes(ds);
  const base = usesRealWorldMap(ds) ? withRealWorldMap(classic, realWorldMap(ds, undefined, undefined)) : classic;
  if (frames === 1) return [base];
  const grid = numbers(ds, 'x3004000c');
  const step = base.spacingBetweenSlices;
  let offsets: number[] | undefined;
  if (grid && grid.length === frames) offsets = grid[0] === 0 ? grid : grid.map((g) => g - grid[0]!);
  else if (step && step > 0) offsets = Array.from({ length: frames }, (_, f) => f * step);
  return Array.from({ length: frames }, (_, f) => {
    const a: FrameAttributes = { ...base, instance: f + 1 };
    if (offsets && base.position && base.rowCosine && base.columnCosine) {
      const n = cross(base.rowCosine, base.columnCosine);
      a.position = [
        base.position[0] + offsets[f]! * n[0],
        base.position[1] + offsets[f]! * n[1],
        base.position[2] + offsets[f]! * n[2],
      ];
    } else if (!offsets) {
      a.position = undefined;
    }
    return a;
  });
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/**
 * Attributes of each tile of a Siemens mosaic. ImagePositionPatient locates the top-left pixel of the
 * whole mosaic; the first tile is centred in it, so it sits (columns − tileColumns)/2 pixels along the
 * row direction and (rows − tileRows)/2 along the column direction further (as dcm2niix and nibabel
 * compute it). Tile k is k · SpacingBetweenSlices (else SliceThickness) along the CSA slice normal.
 */
export function mosaicAttributes(ds: DataSet, mosaic: Mosaic, rows: number, columns: number): FrameAttributes[] {
  const base = classicAttributes(ds);
  const step = base.spacingBetweenSlices ?? base.sliceThickness ?? 1;
  return Array.from({ length: mosaic.count }, (_, k) => {
    const a: FrameAttributes = { ...base };
    if (base.position && base.rowCosine && base.columnCosine && base.pixelSpacing) {
      const [rowSpacing, columnSpacing] = base.pixelSpacing;
      const di = ((columns - mosaic.tileColumns) / 2) * columnSpacing;
      const dj = ((rows - mosaic.tileRows) / 2) * rowSpacing;
      const n = mosaic.normal ?? cross(base.rowCosine, base.columnCosine);
      a.position = [0, 1, 2].map(
        (x) => base.position![x]! + di * base.rowCosine![x]! + dj * base.columnCosine![x]! + k * step * n[x]!,
      ) as Vec3;
    }
    return a;
  });
}

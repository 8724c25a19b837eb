// Writes small DICOM files with dcmjs (an independent writer) for the tests.
import { writeFileSync } from 'node:fs';
import dcmjs from 'dcmjs';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

let uidCounter = 0;
export function uid(): string {
  uidCounter++;
  return `1.2.826.0.1.3680043.8.498.${process.pid}.${Date.now() % 1e9}.${uidCounter}`;
}

export interface SliceSpec {
  rows: number;
  columns: number;
  /** Stored values, row by row (length rows × columns × samples). */
  values: ArrayLike<number>;
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  highBit?: number;
  signed?: boolean;
  photometric?: string;
  samplesPerPixel?: number;
  planarConfiguration?: number;
  position?: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  /** [row spacing, column spacing]. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  slope?: number;
  intercept?: number;
  seriesUid?: string;
  instanceUid?: string;
  instanceNumber?: number;
  temporalPosition?: number;
  modality?: string;
  description?: string;
  transferSyntaxUid?: string;
  /** Extra naturalised attributes (e.g. functional groups). */
  extra?: Record<string, unknown>;
  /** Elements by hex tag ('00291010'), for private tags dcmjs cannot name. */
  raw?: Record<string, { vr: string; Value: unknown[] }>;
  /** Raw stored words instead of `values` (for garbage in unused high bits). */
  rawWords?: Uint16Array | Uint8Array;
  /** Float (float32) or Double Float (float64) Pixel Data instead of integer Pixel Data. */
  floatPixels?: Float32Array | Float64Array;
  sopClassUid?: string;
}

function pixelBytes(spec: SliceSpec): ArrayBuffer {
  if (spec.rawWords) return spec.rawWords.slice().buffer as ArrayBuffer;
  const bits = spec.bitsAllocated ?? 16;
  const n = spec.values.length;
  if (bits === 8) {
    const a = spec.signed ? new Int8Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) a[i] = spec.values[i]!;
    return a.buffer as ArrayBuffer;
  }
  const a = spec.signed ? new Int16Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) a[i] = spec.values[i]!;
  return a.buffer as ArrayBuffer;
}

/** Builds the bytes of a Part 10 file for one image (or one multi-frame image via `extra`). */
export function dicomBytes(spec: SliceSpec): Uint8Array {
  const bits = spec.bitsAllocated ?? 16;
  const raw = { ...spec.raw };
  const sop = spec.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.4';
  const instanceUid = spec.instanceUid ?? uid();
  const dataset: Record<string, unknown> = {
    SOPClassUID: sop,
    SOPInstanceUID: instanceUid,
    Modality: spec.modality ?? 'MR',
    SeriesInstanceUID: spec.seriesUid ?? uid(),
    StudyInstanceUID: '1.2.3.4',
    SeriesDescription: spec.description ?? 'test series',
    SeriesNumber: 1,
    InstanceNumber: spec.instanceNumber ?? 1,
    Rows: spec.rows,
    Columns: spec.columns,
    SamplesPerPixel: spec.samplesPerPixel ?? 1,
    PhotometricInterpretation: spec.photometric ?? 'MONOCHROME2',
    BitsAllocated: bits,
    BitsStored: spec.bitsStored ?? bits,
    HighBit: spec.highBit ?? (spec.bitsStored ?? bits) - 1,
    PixelRepresentation: spec.signed ? 1 : 0,
    PixelData: pixelBytes(spec),
    _vrMap: { PixelData: bits === 8 ? 'OB' : 'OW' },
  };
  if (spec.floatPixels) {
    // the Floating Point Image Pixel module: no BitsStored, HighBit or PixelRepresentation
    const double = spec.floatPixels instanceof Float64Array;
    delete dataset.PixelData;
    delete dataset.BitsStored;
    delete dataset.HighBit;
    delete dataset.PixelRepresentation;
    dataset.BitsAllocated = double ? 64 : 32;
    dataset._vrMap = {};
    raw[double ? '7FE00009' : '7FE00008'] = { vr: double ? 'OD' : 'OF', Value: [spec.floatPixels.slice().buffer] };
  }
  if ((spec.samplesPerPixel ?? 1) > 1) dataset.PlanarConfiguration = spec.planarConfiguration ?? 0;
  if (spec.position) dataset.ImagePositionPatient = spec.position;
  if (spec.orientation) dataset.ImageOrientationPatient = spec.orientation;
  if (spec.pixelSpacing) dataset.PixelSpacing = spec.pixelSpacing;
  if (spec.sliceThickness !== undefined) dataset.SliceThickness = spec.sliceThickness;
  if (spec.slope !== undefined) dataset.RescaleSlope = spec.slope;
  if (spec.intercept !== undefined) dataset.RescaleIntercept = spec.intercept;
  if (spec.temporalPosition !== undefined) dataset.TemporalPositionIdentifier = spec.temporalPosition;
  Object.assign(dataset, spec.extra ?? {});
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sop,
    MediaStorageSOPInstanceUID: instanceUid,
    TransferSyntaxUID: spec.transferSyntaxUid ?? '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = { ...DicomMetaDictionary.denaturalizeDataset(dataset), ...raw };
  return new Uint8Array(dict.write());
}

export function writeDicom(path: string, spec: SliceSpec): void {
  writeFileSync(path, dicomBytes(spec));
}

export const AXIAL: [number, number, number, number, number, number] = [1, 0, 0, 0, 1, 0];

/** A CSA2 ("SV10") header holding the given tags, laid out as Siemens writes it. */
export function csaHeader(tags: Record<string, string[]>): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  parts.push(...'SV10'.split('').map((c) => c.charCodeAt(0)), 4, 3, 2, 1);
  u32(Object.keys(tags).length);
  u32(77);
  for (const [name, items] of Object.entries(tags)) {
    const nameBytes = new Array(64).fill(0);
    name.split('').forEach((c, i) => (nameBytes[i] = c.charCodeAt(0)));
    parts.push(...nameBytes);
    u32(items.length); // vm
    parts.push(68, 83, 0, 0); // "DS"
    u32(3); // syngodt
    u32(items.length);
    u32(77);
    for (const item of items) {
      const bytes = [...item.split('').map((c) => c.charCodeAt(0)), 0];
      u32(bytes.length);
      u32(bytes.length);
      u32(77);
      u32(bytes.length);
      parts.push(...bytes);
      while (parts.length % 4) parts.push(0);
    }
  }
  return new Uint8Array(parts);
}

/**
 * Synthetic DICOM series with chosen geometry, written with dcmjs directly (not Vesalius's writer):
 * classic single-frame CT files or one enhanced multi-frame MR file, slices at
 * origin + k · step · normal (+ k · shear for a gantry tilt), written in a shuffled file order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;
dcmjs.log.setLevel('error');

type Vec3 = [number, number, number];

export interface SeriesSpec {
  rows: number;
  columns: number;
  slices: number;
  /** Row direction (along a row: increasing column) and column direction (down: increasing row). */
  row: Vec3;
  column: Vec3;
  /** [between rows, between columns] (mm). */
  pixelSpacing: [number, number];
  /** Signed step along row × column between consecutive slices (mm). */
  step: number;
  origin: Vec3;
  /** Extra in-plane offset per slice (mm): a sheared, gantry-tilted stack. */
  shear?: Vec3;
  /** One enhanced MR multi-frame file instead of one CT file per slice. */
  multiframe?: boolean;
  /** Seed of the file order shuffle (files and frames are never in position order). */
  seed?: number;
  patientName?: string;
  patientId?: string;
  /** Stored value of (column c, row r, slice k) (default syntheticValue). */
  pixel?: (c: number, r: number, k: number) => number;
}

export interface WrittenSeries {
  dir: string;
  files: string[];
  seriesUid: string;
  studyUid: string;
  frameOfReferenceUid: string;
  /** SOP instance UID per slice index k (slice k at origin + k·step·normal). */
  instanceOfSlice: string[];
  /** Multi-frame: 1-based frame number per slice k. */
  frameOfSlice?: number[];
}

const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** A UID under 2.25 from a counter (deterministic, unique per process). */
let counter = 0;
function uid(): string {
  counter++;
  return `2.25.${BigInt(Date.now()) * 1000000n + BigInt(process.pid) * 1000n + BigInt(counter)}`;
}

function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  // never leave the files in position order
  if (n > 1 && order.every((v, i) => v === i)) order.reverse();
  return order;
}

function write(path: string, dataset: Record<string, unknown>): void {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.1234',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  writeFileSync(path, Buffer.from(dict.write()));
}

/** Pixel value of (column c, row r, slice k): distinct enough to tell slices and axes apart. */
export function syntheticValue(c: number, r: number, k: number): number {
  return c + 3 * r + 50 * k;
}

function pixels(spec: SeriesSpec, k: number): ArrayBuffer {
  const values = new Int16Array(spec.rows * spec.columns);
  const value = spec.pixel ?? syntheticValue;
  for (let r = 0; r < spec.rows; r++)
    for (let c = 0; c < spec.columns; c++) values[r * spec.columns + c] = value(c, r, k);
  return values.buffer;
}

export function writeSeries(dir: string, spec: SeriesSpec): WrittenSeries {
  mkdirSync(dir, { recursive: true });
  const normal = cross(spec.row, spec.column);
  const position = (k: number): Vec3 =>
    [0, 1, 2].map((x) => spec.origin[x]! + k * spec.step * normal[x]! + k * (spec.shear?.[x] ?? 0)) as Vec3;
  const studyUid = uid();
  const seriesUid = uid();
  const frameOfReferenceUid = uid();
  const common = {
    PatientName: spec.patientName ?? 'Synthetic^Patient',
    PatientID: spec.patientId ?? 'SYN001',
    PatientBirthDate: '19700101',
    PatientSex: 'O',
    StudyInstanceUID: studyUid,
    StudyDate: '20240102',
    StudyTime: '101010',
    StudyID: 'S1',
    AccessionNumber: 'ACC1',
    ReferringPhysicianName: '',
    SeriesInstanceUID: seriesUid,
    SeriesNumber: 3,
    SeriesDescription: 'synthetic',
    FrameOfReferenceUID: frameOfReferenceUid,
    PositionReferenceIndicator: '',
    Manufacturer: 'test',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: spec.rows,
    Columns: spec.columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    _vrMap: { PixelData: 'OW' },
  };
  const orientation = [...spec.row, ...spec.column];
  const order = shuffled(spec.slices, spec.seed ?? 7);
  if (!spec.multiframe) {
    const files: string[] = [];
    const instanceOfSlice: string[] = [];
    order.forEach((k, fileIndex) => {
      const sop = uid();
      instanceOfSlice[k] = sop;
      const path = join(dir, `img${String(fileIndex).padStart(4, '0')}`);
      write(path, {
        ...common,
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        SOPInstanceUID: sop,
        Modality: 'CT',
        ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        InstanceNumber: fileIndex + 1,
        ImagePositionPatient: position(k),
        ImageOrientationPatient: orientation,
        PixelSpacing: spec.pixelSpacing,
        SliceThickness: Math.abs(spec.step),
        KVP: 120,
        RescaleIntercept: 0,
        RescaleSlope: 1,
        PixelData: pixels(spec, k),
      });
      files.push(path);
    });
    return { dir, files, seriesUid, studyUid, frameOfReferenceUid, instanceOfSlice };
  }
  const sop = uid();
  const frameOfSlice: number[] = [];
  order.forEach((k, f) => (frameOfSlice[k] = f + 1));
  const data = new Int16Array(spec.rows * spec.columns * spec.slices);
  order.forEach((k, f) => data.set(new Int16Array(pixels(spec, k)), f * spec.rows * spec.columns));
  const path = join(dir, 'enhanced.dcm');
  write(path, {
    ...common,
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
    SOPInstanceUID: sop,
    Modality: 'MR',
    ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'NONE'],
    InstanceNumber: 1,
    NumberOfFrames: spec.slices,
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: orientation }],
        PixelMeasuresSequence: [{ PixelSpacing: spec.pixelSpacing, SliceThickness: Math.abs(spec.step) }],
      },
    ],
    PerFrameFunctionalGroupsSequence: order.map((k) => ({
      PlanePositionSequence: [{ ImagePositionPatient: position(k) }],
      FrameContentSequence: [{ StackID: '1', InStackPositionNumber: k + 1 }],
    })),
    PixelData: data.buffer,
  });
  return {
    dir,
    files: [path],
    seriesUid,
    studyUid,
    frameOfReferenceUid,
    instanceOfSlice: Array.from({ length: spec.slices }, () => sop),
    frameOfSlice,
  };
}

/** A rotation matrix's first two columns as row/column cosines: rotation by `degrees` about `axis`. */
export function rotatedCosines(axis: Vec3, degrees: number): { row: Vec3; column: Vec3 } {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n) as Vec3;
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  const m = [
    [c + x * x * C, x * y * C - z * s, x * z * C + y * s],
    [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
    [z * x * C - y * s, z * y * C + x * s, c + z * z * C],
  ];
  return { row: [m[0]![0]!, m[1]![0]!, m[2]![0]!], column: [m[0]![1]!, m[1]![1]!, m[2]![1]!] };
}

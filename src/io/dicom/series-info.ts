import type { Mat3, Vec3 } from '../image.js';
import type { FrameAttributes } from './frame-geometry.js';
import type { Mosaic } from './mosaic.js';
import type { FrameInfo } from './pixel-module.js';
import type { StackFrame } from './stack.js';

/** One frame of a series: which file, which frame in it, how it is encoded and where it is. */
export interface DicomFrameRef extends StackFrame {
  path: string;
  /** Frame number within the file (0-based). */
  frame: number;
  /** Frames in the file. */
  framesInFile: number;
  transferSyntaxUid: string;
  /** SOPInstanceUID of the file (copies of one instance are read once). */
  instanceUid: string;
  info: FrameInfo;
  attributes: FrameAttributes;
  /** For a Siemens mosaic: the layout; `frame` is then the tile number within frame 0. */
  mosaic?: Mosaic;
}

/** Does a frame become RGB (3 samples, or palette indices)? */
export function isColour(ref: DicomFrameRef): boolean {
  return ref.info.samplesPerPixel === 3 || ref.info.photometricInterpretation === 'PALETTE COLOR';
}

/** Rows and columns of the image a frame reference stands for (a tile, for a mosaic). */
export function frameSize(ref: DicomFrameRef): { rows: number; columns: number } {
  return ref.mosaic
    ? { rows: ref.mosaic.tileRows, columns: ref.mosaic.tileColumns }
    : { rows: ref.info.rows, columns: ref.info.columns };
}

/** A series found by scanDicomFolder, with the geometry it will be assembled with. */
export interface DicomSeriesInfo {
  /** SeriesInstanceUID. */
  uid: string;
  /** Unique within one scan: the uid, plus " #n (reason)" when a series was split. */
  key: string;
  description: string;
  modality: string;
  seriesNumber?: number;
  sopClassUid: string;
  files: string[];
  /** Number of frames (slices × volumes) used. */
  frameCount: number;
  /** [columns, rows, slices, (volumes), (3 for RGB)]. */
  shape: number[];
  spacing: Vec3;
  origin: Vec3;
  direction: Mat3;
  photometricInterpretation: string;
  transferSyntaxes: string[];
  oblique: boolean;
  /** Largest distance (mm) of a slice position from its place on the assembled grid. */
  maxSliceDeviation: number;
  /** Gaps, duplicates, non-uniform spacing, missing positions, shear ... (empty when clean). */
  warnings: string[];
  /** volumes[t][k]: the frames in assembly order. */
  volumes: DicomFrameRef[][];
}

/** A file of the folder that is not part of any image series, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface DicomScan {
  series: DicomSeriesInfo[];
  skipped: SkippedFile[];
}

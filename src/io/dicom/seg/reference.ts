/**
 * The source series a SEG (or SR) refers to: its grid as the DICOM reader assembles it (slices sorted
 * by position along the normal), the instance (and frame, for multi-frame sources) at each slice, and
 * the header whose patient, study and frame-of-reference attributes the derived object copies.
 */
import type { DicomDataset } from '../write/dataset.js';
import { FileFormatError } from '../../../util/errors.js';
import type { Mat3, Vec3 } from '../../image.js';
import type { Grid } from '../../resample.js';
import { cross, dot } from '../frame-geometry.js';
import { readBytes, scanDicomFolderWithSkipped, summariseSkipped } from '../scan.js';
import type { DicomSeriesInfo } from '../series-info.js';
import { decodePart10 } from '../write/part10.js';

/** One slice of the reference: the SOP instance (and 1-based frame number in a multi-frame file). */
export interface ReferenceFrame {
  sopClassUid: string;
  sopInstanceUid: string;
  frameNumber?: number;
  /** Image Position (Patient) the file gives for this slice. */
  position?: Vec3;
}

export interface ReferenceSeries {
  /** The folder or file given. */
  path: string;
  series: DicomSeriesInfo;
  /** Header of the series' first file (naturalised): patient, study, frame of reference. */
  header: DicomDataset;
  /** The grid the reader assembles: [columns, rows, slices], spacing, origin, direction (LPS). */
  grid: Grid;
  /** frames[k]: the source of slice k of the grid. */
  frames: ReferenceFrame[];
  /** Whether the slices carry Image Position/Orientation (Patient) (not so for radiographs, SC ...). */
  hasPatientGeometry: boolean;
}

function describe(s: DicomSeriesInfo): string {
  return `${s.uid}${s.description ? ` "${s.description}"` : ''} (${s.modality || '?'}, ${s.shape.join('x')})`;
}

/** Angle (degrees) between the stacking axis and the slice normal: gantry tilt or shear. */
function tiltDegrees(direction: Mat3): number {
  const row: Vec3 = [direction[0], direction[3], direction[6]];
  const column: Vec3 = [direction[1], direction[4], direction[7]];
  const k: Vec3 = [direction[2], direction[5], direction[8]];
  const normal = cross(row, column);
  const cosine = Math.abs(dot(normal, k)) / (Math.hypot(...normal) * Math.hypot(...k));
  return (Math.acos(Math.min(1, cosine)) * 180) / Math.PI;
}

/**
 * Loads the reference series under `path` (a folder or one file). With several series, `seriesUid`
 * picks one. Throws FileFormatError for a path that holds no image series (an SR, a SEG, non-DICOM),
 * several series without a choice, a 4D series, or a gantry-tilted (sheared) stack.
 */
export async function loadReferenceSeries(
  path: string,
  options: { seriesUid?: string } = {},
): Promise<ReferenceSeries> {
  const { series: found, skipped } = await scanDicomFolderWithSkipped(path);
  if (found.length === 0) {
    throw new FileFormatError(
      path,
      `no DICOM image series to reference${skipped.length ? ` (${summariseSkipped(skipped)})` : ' (folder is empty)'}`,
    );
  }
  let candidates = found;
  if (options.seriesUid) {
    candidates = found.filter((s) => s.uid === options.seriesUid || s.key === options.seriesUid);
    if (candidates.length === 0)
      throw new FileFormatError(path, `no series ${options.seriesUid}; found ${found.map(describe).join('; ')}`);
  }
  if (candidates.length > 1)
    throw new FileFormatError(
      path,
      `holds ${candidates.length} image series, choose one: ${candidates.map(describe).join('; ')}`,
    );
  const series = candidates[0]!;
  if (series.volumes.length > 1)
    throw new FileFormatError(
      path,
      `series ${series.uid} has ${series.volumes.length} volumes (time points); a segmentation references one 3D volume`,
    );
  const tilt = tiltDegrees(series.direction);
  if (tilt > 0.01)
    throw new FileFormatError(
      path,
      `series ${series.uid} is gantry-tilted (slices stacked ${tilt.toFixed(2)} degrees off their normal): resample it to an orthogonal grid before segmenting, or reference the resampled series`,
    );
  const first = series.volumes[0]![0]!;
  const hasPatientGeometry = series.volumes[0]!.every((f) => f.attributes.position && f.attributes.rowCosine);
  const header = decodePart10(first.path, await readBytes(first.path), { headerOnly: true });
  const sopClassUid = series.sopClassUid || header.SOPClassUID || header._meta?.MediaStorageSOPClassUID;
  if (!sopClassUid) throw new FileFormatError(first.path, 'the source images have no SOP Class UID to reference');
  const unnamed = series.volumes[0]!.find((f) => f.instanceUid.startsWith('no-instance-uid:'));
  if (unnamed)
    throw new FileFormatError(
      unnamed.path,
      'the source image has no SOP Instance UID: a derived object cannot reference it',
    );
  const frames = series.volumes[0]!.map((f) => ({
    sopClassUid,
    sopInstanceUid: f.instanceUid,
    ...(f.framesInFile > 1 ? { frameNumber: f.frame + 1 } : {}),
    ...(f.attributes.position ? { position: f.attributes.position } : {}),
  }));
  return {
    path,
    series,
    header,
    grid: {
      shape: series.shape.slice(0, 3),
      spacing: series.spacing,
      origin: series.origin,
      direction: series.direction,
    },
    frames,
    hasPatientGeometry,
  };
}

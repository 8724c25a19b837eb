/**
 * DICOM Segmentation objects (PS3.3 A.51; LABELMAP: A.51 as extended by Supplement 243, DICOM 2024)
 * from a label image on (or mapped onto) a reference series. Every frame's Plane Position comes from
 * the label grid: origin + k · spacing_k · (k axis), never from the order of the source files; each
 * frame names the source instance (and frame) at that position. BINARY writes one frame per segment
 * and slice where the segment has voxels (overlap allowed); a segment with no voxel keeps one empty
 * frame and says so in its description. LABELMAP writes one frame per slice of segment numbers.
 */
import type { DicomDataset } from '../write/dataset.js';
import { writeFileAtomic } from '../../../util/atomic.js';
import { FileFormatError, OptionError, ShapeError } from '../../../util/errors.js';
import { indexToWorld, type Image, type Vec3 } from '../../image.js';
import { equipment, patientAndStudy, type EquipmentOptions } from '../write/modules.js';
import { encodePart10 } from '../write/part10.js';
import { newUid } from '../write/uid.js';
import { codeString, decimalString, decimalStrings, dicomDateTime, longString } from '../write/values.js';
import { codeSequence } from './codes.js';
import { fitToGrid } from './grid-match.js';
import { packBinaryFrames, packLabelmapFrames, segVoxels } from './pixels.js';
import { loadReferenceSeries, type ReferenceSeries } from './reference.js';
import { resolveSegments, rgbToDicomLab, type Segment, type SegmentSpec } from './segments.js';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
export const LABEL_MAP_SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.7';

export type SegmentationType = 'BINARY' | 'LABELMAP';

export interface SegWriteOptions extends EquipmentOptions {
  type?: SegmentationType;
  /** Names and codes per segment number; numbers given but absent from the label become empty segments. */
  segments?: SegmentSpec[];
  /** Algorithm identification (default Vesalius and its version; family: artificial intelligence). */
  algorithm?: { name: string; version: string };
  /** A manual segmentation (converted from a drawn label) rather than an automatic one. */
  manual?: boolean;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Content Label (CS, 16 characters; default SEGMENTATION). */
  contentLabel?: string;
  contentDescription?: string;
  /** Leave out frames with no voxel (default true; an empty segment still keeps one frame). */
  omitEmptyFrames?: boolean;
  /** Resample a label that is not on the reference grid (nearest neighbour) instead of refusing it. */
  resample?: boolean;
  /** A chosen series when the reference folder holds several. */
  referenceSeriesUid?: string;
  /** Fixed UIDs (tests, reproducible outputs); new random ones by default. */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
}

export interface SegResult {
  /** What the user should know: UIDs the source lacked and the SEG had to invent. */
  warnings: string[];
  dataset: DicomDataset;
  bytes: Uint8Array;
  segments: Segment[];
  reference: ReferenceSeries;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  /** The label as written: on the reference grid. */
  label: Image;
  /** Where writeDicomSeg wrote it. */
  path?: string;
}

const SEGMENTATION_DERIVATION = { value: '113076', scheme: 'DCM', meaning: 'Segmentation' };
const SOURCE_PURPOSE = { value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' };
const AI_FAMILY = { value: '123110', scheme: 'DCM', meaning: 'Artificial Intelligence' };

interface Frame {
  segment: number;
  k: number;
}

function framesFor(
  type: SegmentationType,
  segments: Segment[],
  slicesOf: (s: number) => number[],
  nk: number,
  omit: boolean,
): Frame[] {
  const all = Array.from({ length: nk }, (_, k) => k);
  if (type === 'LABELMAP') {
    const used = new Set(segments.flatMap((s) => slicesOf(s.number)));
    const slices = omit ? all.filter((k) => used.has(k)) : all;
    return (slices.length ? slices : [0]).map((k) => ({ segment: 0, k }));
  }
  return segments.flatMap((s) => {
    const slices = omit ? slicesOf(s.number) : all;
    return (slices.length ? slices : [0]).map((k) => ({ segment: s.number, k }));
  });
}

function segmentItem(s: Segment, options: SegWriteOptions): DicomDataset {
  const type: DicomDataset = { ...codeSequence(s.type)[0] };
  if (s.typeModifier) type.SegmentedPropertyTypeModifierCodeSequence = codeSequence(s.typeModifier);
  const description = [s.description, s.empty ? 'empty: no voxel in this segment' : undefined]
    .filter(Boolean)
    .join('; ');
  const item: DicomDataset = {
    SegmentNumber: s.number,
    SegmentLabel: longString(s.label),
    SegmentedPropertyCategoryCodeSequence: codeSequence(s.category),
    SegmentedPropertyTypeCodeSequence: [type],
    SegmentAlgorithmType: options.manual ? 'MANUAL' : 'AUTOMATIC',
    RecommendedDisplayCIELabValue: rgbToDicomLab(s.color),
  };
  if (!options.manual) {
    const algorithm = options.algorithm ?? { name: 'Vesalius', version: '0.1.0' };
    item.SegmentAlgorithmName = longString(algorithm.name);
    item.SegmentationAlgorithmIdentificationSequence = [
      {
        AlgorithmFamilyCodeSequence: codeSequence(AI_FAMILY),
        AlgorithmName: longString(algorithm.name),
        AlgorithmVersion: longString(algorithm.version),
      },
    ];
  }
  if (description) item.SegmentDescription = longString(description);
  if (s.anatomicRegion) item.AnatomicRegionSequence = codeSequence(s.anatomicRegion);
  return item;
}

/**
 * Every slice of the grid must be where its source image is: a series with gaps or uneven spacing is
 * assembled on a uniform grid that misplaces slices, and a SEG must not inherit that.
 */
function checkSourcePositions(ref: ReferenceSeries, grid: Image): void {
  const tolerance = 0.1 * grid.spacing[2];
  ref.frames.forEach((frame, k) => {
    if (!frame.position) return;
    const p = indexToWorld(grid, [0, 0, k]);
    const off = Math.hypot(p[0] - frame.position[0], p[1] - frame.position[1], p[2] - frame.position[2]);
    if (off > tolerance)
      throw new FileFormatError(
        ref.path,
        `slice ${k + 1} of the series lies ${off.toFixed(2)} mm from its place on the assembled grid (${ref.series.warnings.join('; ') || 'uneven slice positions'}): a SEG on this grid would misplace it`,
      );
  });
}

/**
 * Builds a SEG for `label` (a label map, or [i, j, k, S] binary masks) on the series at `reference`
 * (a folder or file, or an already loaded ReferenceSeries).
 *
 * @throws ShapeError when the label is not on the series' grid (unless `resample`), or overlapping
 *   masks are asked for as LABELMAP; FileFormatError for a reference that is no image series or is
 *   gantry-tilted; OptionError for bad segment descriptions.
 */
export async function buildDicomSeg(
  label: Image,
  reference: string | ReferenceSeries,
  options: SegWriteOptions = {},
): Promise<SegResult> {
  const type = options.type ?? 'BINARY';
  if (type !== 'BINARY' && type !== 'LABELMAP')
    throw new OptionError('type', `must be BINARY or LABELMAP, got "${type}"`);
  const ref =
    typeof reference === 'string'
      ? await loadReferenceSeries(reference, { seriesUid: options.referenceSeriesUid })
      : reference;
  if (!ref.hasPatientGeometry)
    throw new FileFormatError(
      ref.path,
      'the reference images have no Image Position/Orientation (Patient): a SEG needs patient geometry',
    );
  const fitted = fitToGrid(label, ref.grid, { resample: options.resample });
  checkSourcePositions(ref, fitted);
  const voxels = segVoxels(fitted);
  if (type === 'LABELMAP' && voxels.overlapping)
    throw new ShapeError('overlapping masks cannot be a LABELMAP segmentation: write them as BINARY');
  const segments = resolveSegments(voxels.counts, options.segments, { consecutive: type === 'BINARY' });
  if (segments.length === 0) throw new ShapeError('the label has no segment (no non-zero voxel and no segment named)');
  const maxNumber = Math.max(...segments.map((s) => s.number));
  const [ni, nj, nk] = [fitted.shape[0]!, fitted.shape[1]!, fitted.shape[2]!];
  const frames = framesFor(type, segments, (s) => voxels.slicesOf(s), nk, options.omitEmptyFrames ?? true);

  // Positions from the label's own grid; a position index per distinct slice used
  const positionOf = (k: number): Vec3 => indexToWorld(fitted, [0, 0, k]);
  const usedSlices = [...new Set(frames.map((f) => f.k))].sort((a, b) => a - b);
  const positionIndex = new Map(usedSlices.map((k, i) => [k, i + 1]));
  const d = fitted.direction;
  const orientation = decimalStrings([d[0], d[3], d[6], d[1], d[4], d[7]]);
  const perFrame = frames.map(({ segment, k }) => {
    const source = ref.frames[k]!;
    const sourceItem: DicomDataset = {
      ReferencedSOPClassUID: source.sopClassUid,
      ReferencedSOPInstanceUID: source.sopInstanceUid,
      PurposeOfReferenceCodeSequence: codeSequence(SOURCE_PURPOSE),
      SpatialLocationsPreserved: 'YES',
    };
    if (source.frameNumber !== undefined) sourceItem.ReferencedFrameNumber = source.frameNumber;
    const item: DicomDataset = {
      DerivationImageSequence: [
        { SourceImageSequence: [sourceItem], DerivationCodeSequence: codeSequence(SEGMENTATION_DERIVATION) },
      ],
      FrameContentSequence: [
        { DimensionIndexValues: type === 'BINARY' ? [segment, positionIndex.get(k)!] : [positionIndex.get(k)!] },
      ],
      PlanePositionSequence: [{ ImagePositionPatient: decimalStrings(positionOf(k)) }],
    };
    if (type === 'BINARY') item.SegmentIdentificationSequence = [{ ReferencedSegmentNumber: segment }];
    return item;
  });

  const dimensionOrganizationUid = newUid();
  const positionDimension = {
    DimensionOrganizationUID: dimensionOrganizationUid,
    DimensionIndexPointer: 0x00200032,
    FunctionalGroupPointer: 0x00209113,
    DimensionDescriptionLabel: 'Image Position Patient',
  };
  const dimensions =
    type === 'BINARY'
      ? [
          {
            DimensionOrganizationUID: dimensionOrganizationUid,
            DimensionIndexPointer: 0x0062000b,
            FunctionalGroupPointer: 0x0062000a,
            DimensionDescriptionLabel: 'Segment Number',
          },
          positionDimension,
        ]
      : [positionDimension];

  const header = ref.header;
  const warnings: string[] = [];
  const study = patientAndStudy(header);
  if (!study.StudyInstanceUID) {
    study.StudyInstanceUID = newUid();
    warnings.push(`the source has no Study Instance UID: the SEG starts a new study ${study.StudyInstanceUID}`);
  }
  let sourceSeriesUid = header.SeriesInstanceUID as string | undefined;
  if (!sourceSeriesUid) {
    sourceSeriesUid = newUid();
    warnings.push(
      `the source has no Series Instance UID: the SEG refers to it as ${sourceSeriesUid}, which no archive knows`,
    );
  }
  const sliceThickness = Number(header.SliceThickness) > 0 ? Number(header.SliceThickness) : fitted.spacing[2];
  const pixelMeasures: DicomDataset = {
    PixelSpacing: decimalStrings([fitted.spacing[1], fitted.spacing[0]]),
    SliceThickness: decimalString(sliceThickness),
  };
  if (nk > 1) pixelMeasures.SpacingBetweenSlices = decimalString(fitted.spacing[2]);

  const bits = type === 'BINARY' ? 1 : maxNumber > 255 ? 16 : 8;
  const pixelData =
    type === 'BINARY'
      ? packBinaryFrames(voxels, frames)
      : packLabelmapFrames(
          voxels,
          frames.map((f) => f.k),
          bits as 8 | 16,
        );

  const referencedInstances = new Map<string, string>();
  for (const f of ref.frames) referencedInstances.set(f.sopInstanceUid, f.sopClassUid);
  const now = dicomDateTime();
  const sopInstanceUid = options.sopInstanceUid ?? newUid();
  const seriesInstanceUid = options.seriesInstanceUid ?? newUid();
  const sourceSeriesNumber = Number(header.SeriesNumber);
  const dataset: DicomDataset = {
    ...study,
    ...equipment(options),
    SOPClassUID: type === 'LABELMAP' ? LABEL_MAP_SEGMENTATION_STORAGE : SEGMENTATION_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    Modality: 'SEG',
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: options.seriesNumber ?? (Number.isInteger(sourceSeriesNumber) ? sourceSeriesNumber + 1000 : 1000),
    SeriesDescription: longString(
      options.seriesDescription ?? `Segmentation (${options.algorithm?.name ?? 'Vesalius'})`,
    ),
    SeriesDate: now.date,
    SeriesTime: now.time,
    FrameOfReferenceUID: header.FrameOfReferenceUID ?? newUid(),
    PositionReferenceIndicator: header.PositionReferenceIndicator ?? '',
    InstanceNumber: 1,
    ContentDate: now.date,
    ContentTime: now.time,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: codeString(options.contentLabel ?? 'SEGMENTATION'),
    ContentDescription: longString(options.contentDescription ?? ''),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: 0,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    LossyImageCompression: '00',
    SegmentationType: type,
    SegmentsOverlap: type === 'LABELMAP' ? 'NO' : voxels.overlapping ? 'YES' : 'NO',
    SegmentSequence: segments.map((s) => segmentItem(s, options)),
    Rows: nj,
    Columns: ni,
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: orientation }],
        PixelMeasuresSequence: [pixelMeasures],
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: dimensions,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: sourceSeriesUid,
        ReferencedInstanceSequence: [...referencedInstances].map(([uid, cls]) => ({
          ReferencedSOPClassUID: cls,
          ReferencedSOPInstanceUID: uid,
        })),
      },
    ],
    _vrMap: { PixelPaddingValue: 'US' },
  };
  if (type === 'LABELMAP') dataset.PixelPaddingValue = 0;
  const bytes = encodePart10(dataset, { bytes: pixelData, vr: bits === 16 ? 'OW' : 'OB' });
  return { warnings, dataset, bytes, segments, reference: ref, sopInstanceUid, seriesInstanceUid, label: fitted };
}

/** buildDicomSeg, then writes the file atomically. */
export async function writeDicomSeg(
  label: Image,
  reference: string | ReferenceSeries,
  path: string,
  options: SegWriteOptions = {},
): Promise<SegResult> {
  const result = await buildDicomSeg(label, reference, options);
  writeFileAtomic(path, result.bytes);
  return { ...result, path };
}

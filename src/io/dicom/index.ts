/**
 * DICOM reading: files (Part 10, also with the meta group at byte 0 and no preamble; raw datasets;
 * either gzip-compressed, `*.dcm.gz` or found by its magic bytes) and series (folder scans) as `Image`s
 * in LPS.
 *
 * API
 * - `readDicom(path, options?)`: a file → all its frames as one image; a folder → the single image
 *   series under it (recursively; any file names), or a FileFormatError listing the series found.
 * - `scanDicomFolder(path)` → `DicomSeriesInfo[]`: every image series with its geometry, shape, files,
 *   frame count and warnings, without decoding pixels. `scanDicomFolderWithSkipped` also returns the
 *   files left out and why (SR, RT, SEG, non-DICOM, unreadable).
 * - `readDicomSeries(series, options?)`: decode and assemble one scanned series.
 * - `readDicomFolder(path, options?)` → `Image[]`: every series of a folder, assembled (`meta.path` is
 *   the folder holding each series' files).
 * - `decodeFrame(transferSyntaxUid, frameBytes, frameInfo)`: the one frame decoder (stored values).
 *
 * Encodings: implicit/explicit VR little endian, explicit VR big endian, deflated explicit VR; RLE,
 * JPEG baseline/extended/lossless (.50 .51 .57 .70), JPEG-LS (.80 .81), JPEG 2000 (.90 .91), HTJ2K
 * (.201 .202 .203), JPEG XL (.110-.112) through the dcmjs-codecs WebAssembly. Encapsulated frames are
 * split by the Basic or Extended Offset Table, else one fragment per frame, else codestream markers.
 * Others (MPEG/HEVC video, JPIP ...) are a FileFormatError naming the syntax.
 *
 * Pixels: BitsStored/HighBit masking and sign extension (also for JPEG-LS/J2K signed data, which
 * codecs return as unsigned bit patterns); colour becomes RGB (YBR_FULL, YBR_FULL_422 converted;
 * planar de-interleaved) on a last axis of 3. MONOCHROME1 is inverted by default, stored s →
 * (lo + hi) − s over the BitsStored range before rescale (so brighter is larger, as in MONOCHROME2;
 * `meta.monochrome1Inverted`), `keepMonochrome1` keeps the stored values (what dcm2niix 1.0.20220720
 * writes: checked on a MONOCHROME1 radiograph, it does not invert). Rescale slope/intercept (per frame; RT Dose
 * DoseGridScaling) are always applied: slope 1 intercept 0 keeps the stored dtype; integer slope and
 * intercept give an integer dtype at least as wide as the stored one that holds the values (CT → int16
 * HU); anything else float32. PALETTE COLOR is mapped to RGB through its tables, segmented ones
 * expanded as pydicom's apply_color_lut expands them. Float and Double Float Pixel Data (parametric
 * maps) read as float32/float64; for them and for Parametric Map storage the Real World Value Mapping
 * (highdicom's choice: the first one at the top level, in the shared, then in the frame's functional
 * groups; slope/intercept or a LUT) replaces the modality rescale. Ultrasound without PixelSpacing
 * takes its spacing from the US regions measured in cm (converted to mm; GDCM reports them in cm).
 *
 * Geometry: i runs along a row (ImageOrientationPatient row cosine, spacing PixelSpacing[1]), j down
 * the columns (column cosine, PixelSpacing[0]), k along the slice normal row × column; origin = the
 * ImagePositionPatient of the first slice. Slices are sorted by position projected on the normal,
 * never by instance number or file name. Slice spacing comes from positions: (last − first)/(n − 1)
 * without gaps, the median step with gaps; SliceThickness is never used when positions exist. Warnings
 * (in DicomSeriesInfo.warnings and meta.warnings): gaps, non-uniform spacing (a slice over
 * max(0.1 mm, 1 %) off the grid), duplicate positions (first kept), copies of one SOP instance,
 * sheared stacks (gantry tilt: k then follows the positions, so direction is not orthogonal), missing
 * orientation/spacing/positions. Equal repeats of every position are volumes (time points, 4th axis).
 * A SeriesInstanceUID is split when rows/columns, orientation (a cosine off by 1e-3 or more), echo
 * number, stack or complex component (ImageType M/P/R/I) differ. Enhanced
 * multi-frame uses the shared and per-frame functional groups; classic multi-frame uses
 * GridFrameOffsetVector or SpacingBetweenSlices; Siemens mosaics are cut into their slices (CSA header).
 */
export { readDicom, readDicomFolder, readDicomSeries, type ReadDicomOptions } from './read.js';
export { scanDicomFolder, scanDicomFolderWithSkipped } from './scan.js';
export type { DicomSeriesInfo, DicomFrameRef, DicomScan, SkippedFile } from './series-info.js';
export {
  decodeFrame,
  decodeFrameSync,
  loadCodecs,
  type StoredArray,
  type DecodeFrameOptions,
} from './codecs.js';
export type { FrameInfo } from './pixel-module.js';
export { transferSyntax, describeTransferSyntax, type TransferSyntax, type FrameCodec } from './transfer-syntax.js';
export { parseDicomBytes, type ParsedDicom, type ParseOptions } from './parse.js';
export type { FrameAttributes } from './frame-geometry.js';
export type { Mosaic } from './mosaic.js';
export type { DicomDataset } from './write/dataset.js';

// Writing derived objects: segmentations (SEG) and structured reports (SR), and reading SEG back.
export {
  buildDicomSeg,
  writeDicomSeg,
  SEGMENTATION_STORAGE,
  LABEL_MAP_SEGMENTATION_STORAGE,
  type SegWriteOptions,
  type SegResult,
  type SegmentationType,
} from './seg/write.js';
export { readDicomSeg, readSegmentation, isSegmentation, type DicomSegmentation } from './seg/read.js';
export { loadReferenceSeries, type ReferenceSeries, type ReferenceFrame } from './seg/reference.js';
export { segmentsFromJson, resolveSegments, type Segment, type SegmentSpec } from './seg/segments.js';
export { readSegmentSpecs } from './seg/specs-file.js';
export { codesForName, codeItem, type Code } from './seg/codes.js';
export { fitToGrid } from './seg/grid-match.js';
export { encodePart10, decodePart10 } from './write/part10.js';
export { newUid, derivedUid, isValidUid } from './write/uid.js';
export {
  buildMeasurementReport,
  writeMeasurementReport,
  COMPREHENSIVE_SR_STORAGE,
  SR_CODES,
  type MeasurementGroup,
  type Measurement,
  type ReportOptions,
} from './sr/tid1500.js';

/**
 * DICOM reading: files (Part 10 or raw datasets, every common transfer syntax) and series (folder
 * scans grouped by SeriesInstanceUID, sorted along the slice normal, with LPS geometry).
 */
export { readDicom, readDicomSeries, type ReadDicomOptions } from './read.js';
export { scanDicomFolder, scanDicomFolderWithSkipped } from './scan.js';
export type { DicomSeriesInfo, DicomFrameRef, DicomScan, SkippedFile } from './series-info.js';
export { decodeFrame, decodeFrameSync, loadCodecs, type StoredArray } from './codecs.js';
export type { FrameInfo } from './pixel-module.js';
export { transferSyntax, describeTransferSyntax, type TransferSyntax } from './transfer-syntax.js';
export { parseDicomBytes, type ParsedDicom } from './parse.js';

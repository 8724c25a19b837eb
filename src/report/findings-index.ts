// Findings reports (re-exported by src/report/index.ts).
export {
  findFindings,
  hasPatientGeometry,
  type Finding,
  type FindingsOptions,
  type Side,
  type FindingPlane,
} from './findings.js';
export { convexHull, diameters, type Diameters, type Point } from './findings-geometry.js';
export {
  buildFindingsReport,
  findingSentence,
  reportText,
  reportHtml,
  reportPdf,
  DISCLAIMER,
  type FindingsReport,
  type ReportContext,
} from './findings-report.js';
export { findingGroups, writeFindingsSr, writePredictionSr, type FindingsSrOptions } from './findings-sr.js';
export { findingsFromFiles, REPORT_FORMATS, type ReportFormat, type FindingsFilesOptions } from './findings-files.js';
export { textPdf, type PdfLine } from './findings-pdf.js';

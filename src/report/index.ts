/** Reports: structured findings from predictions (text, JSON, HTML, PDF, DICOM SR); charts (Vega-Lite → SVG/PNG), overlays, and the self-contained HTML report of runs and cross-validations. */
export { buildReport, chooseCases, type ReportOptions } from './report.js';
export { collectMethods, readMethod, type MethodResult, type FoldLog } from './collect.js';
export { renderSvg, svgToPng, type VegaLiteSpec } from './charts.js';
export { lossCurves, metricBoxPlot, rocPlot, type CurvePoint, type MetricPoint, type RocSeries } from './plots.js';
export {
  overlayPng,
  overlayPlanes,
  OVERLAY_COLOURS,
  type OverlayInput,
  type OverlayOptions,
  type Plane,
} from './overlay.js';
export * from './findings-index.js';

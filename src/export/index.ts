/** Export: int8 quantization of runs (oneDNN), ONNX export of the whole pipeline, and opening any model kind for prediction. */
export {
  quantizeRun,
  isInt8Run,
  loadInt8Run,
  QUANTIZATION_FILE,
  type QuantizeOptions,
  type QuantizationFile,
  type LoadedInt8Run,
  type Agreement,
} from './quantize-run.js';
export {
  exportRun,
  exportToMemory,
  loadOnnxRun,
  sidecarPathOf,
  type ExportOptions,
  type ExportResult,
  type OnnxRun,
} from './onnx/export-run.js';
export { SIDECAR_FORMAT, type PipelineSidecar, type Parity } from './onnx/sidecar.js';
export { openRun, openRuns, type Runtime } from './open-model.js';
export type { NodeReport } from './calibrate.js';
export type { Observer } from './observers.js';

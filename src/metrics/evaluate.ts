/**
 * Segmentation evaluation: one case (evaluateCase) or a folder of cases (evaluateFolder), written
 * as a per-case CSV and an aggregate JSON (writeEvaluation). Empty masks follow EMPTY_MASK_POLICY.
 */
export { evaluateCase, evaluateMasks, classesFor, type ClassRecord, type EvaluateOptions } from './evaluate-case.js';
export {
  evaluateFolder,
  listCases,
  bothEmptyRecord,
  type FolderEvaluation,
  type FolderOptions,
  type ImageReader,
} from './evaluate-folder.js';
export { writeEvaluation, evaluationCsv, evaluationSummary } from './evaluation-files.js';
export { EMPTY_MASK_POLICY } from './empty-policy.js';

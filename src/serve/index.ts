/**
 * Serving: the inference server (fastify, OpenAPI) with its job queue (BullMQ on Redis) and workers,
 * the viewer's back end (results, corrections saved as training data), model monitoring (input
 * fingerprints, output statistics, drift against training and history, Prometheus metrics) and
 * active-learning ranking.
 */
export { createServer, viewerFiles, type ServeOptions, type VesaliusServer } from './server.js';
export type { ServeContext, RouteAccess } from './context.js';
export { CancelFlags, type QueueJobData, type QueueSettings } from './queue.js';
export { createMetrics, type ServeMetrics } from './metrics.js';
export { startWorker, type RunningWorker, type WorkerOptions } from './worker.js';
export { startLocalRedis, type LocalRedis } from './redis.js';
export {
  KeyStore,
  addKey,
  revokeKey,
  createKey,
  hashKey,
  parseScopes,
  readKeyFile,
  SCOPES,
  type KeyFile,
  type KeyRecord,
  type Principal,
  type Scope,
} from './keys.js';
export {
  JobStore,
  type JobRecord,
  type JobInput,
  type JobOptions,
  type InputKind,
  type DicomWebSource,
} from './job-store.js';
export {
  DEFAULT_UPLOAD_LIMITS,
  UploadError,
  checkUploadedFile,
  type CheckedFile,
  type UploadLimits,
} from './upload-check.js';
export {
  predictWithUncertainty,
  hasDropout,
  type UncertaintyOptions,
  type UncertaintySummary,
  type UncertainPrediction,
} from './uncertainty.js';
export { summarizeFindings, type ClassSummary, type Finding, type FindingsSummary } from './findings.js';
export { registerResultExtension, type ResultExtension, type ResultContext } from './extensions.js';
export {
  rankCases,
  writeRanking,
  diverseOrder,
  RANK_STRATEGIES,
  type Ranking,
  type RankedCase,
  type RankOptions,
  type RankStrategy,
} from './rank.js';
export {
  driftReport,
  formatDrift,
  DRIFT_ALPHA,
  type DriftOptions,
  type DriftReport,
  type DriftRow,
} from './monitor/drift.js';
export { caseFeatures, trainingFeatures, type Features } from './monitor/features.js';
export { outOfDistribution, expectedModality, type OodWarning } from './monitor/ood.js';
export { readRecords, type MonitoringRecord } from './monitor/store.js';
export { listModels, modelInfo, readFingerprint, ModelCache, type ModelInfo, type ServedRun } from './models.js';
export { runJob, type JobResult, type Progress } from './run-job.js';

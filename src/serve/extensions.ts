/**
 * Extension points of a job's result. After a worker has written the label map, probabilities and
 * findings summary, each registered extension may add files to the result folder (a DICOM SEG or SR
 * for DICOM inputs, a structured findings report, a classification) and a section of result.json.
 * Extensions run inside the prediction thread, before the result folder is published.
 */
import type { ServedRun } from './models.js';
import type { Image } from '../io/image.js';
import type { JobRecord } from './job-store.js';
import type { FindingsSummary } from './findings.js';

export interface ResultContext {
  record: JobRecord;
  run: ServedRun;
  /** Every channel file as read (the first carries the output geometry and `meta`). */
  images: Image[];
  labels: Image;
  probabilities: Image;
  findings: FindingsSummary;
  /** The job's input folder (DICOM inputs are folders of the original files). */
  inputDir: string;
  /** The result folder being written (a temporary folder until the job is published). */
  outDir: string;
}

export interface ResultExtension {
  /** Its key in result.json. */
  name: string;
  /** Whether it applies to this job (for example, only DICOM inputs). */
  applies(context: ResultContext): boolean;
  /** Writes its files into `outDir`; returns the file names it wrote and its result.json section. */
  run(context: ResultContext): Promise<{ files: string[]; section?: unknown }>;
}

const extensions: ResultExtension[] = [];

/** Registers an extension for every job run in this process (idempotent by name). */
export function registerResultExtension(extension: ResultExtension): void {
  const at = extensions.findIndex((e) => e.name === extension.name);
  if (at >= 0) extensions[at] = extension;
  else extensions.push(extension);
}

export function resultExtensions(): readonly ResultExtension[] {
  return extensions;
}

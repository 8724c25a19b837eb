/**
 * The histogram-matching reference travels with the run: training copies it into the run folder
 * (`histogram-reference` + its ending), and a run read back matches to that copy, so predict and
 * explain prepare images exactly as training did even when the original has moved.
 */
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { imageExtension } from '../../io/extensions.js';
import { temporaryNameFor } from '../../util/atomic.js';
import type { ClassificationConfig } from './config.js';

/** Where a run keeps its copy of the reference `source`. */
export function histogramReferenceCopy(runDir: string, source: string): string {
  return join(runDir, `histogram-reference${imageExtension(basename(source)) ?? ''}`);
}

/** Copies the config's histogram reference (a file or a DICOM folder) into the run folder, atomically. */
export function copyHistogramReference(config: ClassificationConfig, runDir: string): void {
  const source = config.input.histogram_match;
  if (!source) return;
  const target = histogramReferenceCopy(runDir, source);
  const temporary = temporaryNameFor(target);
  cpSync(source, temporary, { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(temporary, target);
}

/** Points a run's config at the run's copy of its histogram reference, when the copy is there. */
export function useRunHistogramReference(config: ClassificationConfig, runDir: string): void {
  const source = config.input.histogram_match;
  if (!source) return;
  const copy = histogramReferenceCopy(runDir, source);
  if (existsSync(copy)) config.input.histogram_match = copy;
}

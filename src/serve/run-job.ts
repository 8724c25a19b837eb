/**
 * One job, as a worker runs it (inside a prediction thread, so the worker's event loop stays free):
 * read the inputs, predict with the model's plan (mirroring members give the uncertainty), write the
 * results into a temporary folder and rename it into place (a job killed half-way leaves no partial
 * result, and its retry starts clean), and add the job's record to the monitoring store.
 *
 * result/ holds: input_0000.nii.gz, input_0001.nii.gz ... (each input file as NIfTI: what the viewer
 * shows and what a correction is saved with), labels.nii.gz, probabilities.nii.gz ([i, j, k, K]),
 * foreground.nii.gz (1 − P(background)) and result.json; for a DICOM series input also seg.dcm and
 * sr.dcm (dicom-results.ts). A job naming a DICOMweb study first retrieves its series (dicomweb-input.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintCase, channelsOf } from '../data/fingerprint.js';
import { createImage } from '../io/image.js';
import { writeImage } from '../io/write.js';
import { inferencePostprocess } from '../train/inference-options.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VesaliusError } from '../util/errors.js';
import { dicomResults } from './dicom-results.js';
import { retrieveDicomWebInput } from './dicomweb-input.js';
import { resultExtensions } from './extensions.js';
import { summarizeFindings, type FindingsSummary } from './findings.js';
import { inside } from './ids.js';
import type { JobRecord, JobStore } from './job-store.js';
import { type ModelCache, modelDir, readFingerprint } from './models.js';
import { caseFeatures, trainingFeatures } from './monitor/features.js';
import { expectedModality, type OodWarning, outOfDistribution } from './monitor/ood.js';
import { writeRecord } from './monitor/store.js';
import { predictWithUncertainty, type UncertaintySummary } from './uncertainty.js';

export interface JobResult {
  job: string;
  model: string;
  classes: string[];
  /** The output grid (that of the first input). */
  shape: number[];
  spacing: number[];
  origin: number[];
  direction: number[];
  findings: FindingsSummary;
  uncertainty: UncertaintySummary;
  /** Out-of-distribution warnings for this input (empty when it looks like the training data). */
  warnings: OodWarning[];
  files: string[];
  extensions: Record<string, unknown>;
  seconds: number;
  finishedAt: string;
}

/** Progress of a job: its stage and the fraction done (0..1). */
export type Progress = (stage: string, fraction: number) => void;

/**
 * Runs one job: predicts, writes the result folder atomically, adds a monitoring record.
 *
 * @param store - the data folder
 * @param models - loaded models
 * @param queued - the job as queued (a DICOMweb job gets its input here)
 * @param progress - called with the stage and the fraction done
 * @returns the job's result (also in result/result.json)
 */
export async function runJob(
  store: JobStore,
  models: ModelCache,
  queued: JobRecord,
  progress: Progress,
): Promise<JobResult> {
  const started = performance.now();
  if (queued.dicomweb && queued.inputs.length === 0) progress('retrieving', 0);
  const record = await retrieveDicomWebInput(store, queued);
  const run = models.get(record.model);
  const classes = run.datasetInfo.labels.map((l) => l.name);
  const inputDir = store.inputDir(record.id);
  const files = record.inputs.map((input) => inside(inputDir, input.file));
  progress('predicting', 0);
  const prediction = await predictWithUncertainty(
    run,
    { id: record.id, files },
    {
      tta: record.options.tta,
      postprocess: inferencePostprocess(run.config),
      onMember: (done, total) => progress('predicting', done / total),
    },
  );
  progress('writing', 0.9);
  const resultDir = store.resultDir(record.id);
  const jobDir = store.jobDir(record.id);
  // an earlier attempt killed half-way may have left its temporary folder
  for (const name of readdirSync(jobDir))
    if (name.startsWith('result.tmp-')) rmSync(join(jobDir, name), { recursive: true, force: true });
  const tmp = join(jobDir, `result.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    const { labels, probabilities } = prediction;
    const n = labels.data.length;
    const foreground = new Float32Array(n);
    for (let v = 0; v < n; v++) foreground[v] = 1 - probabilities.data[v]!;
    const inputs = prediction.images.map((_, c) => `input_${String(c).padStart(4, '0')}.nii.gz`);
    for (const [c, image] of prediction.images.entries()) await writeImage(image, join(tmp, inputs[c]!));
    await writeImage(labels, join(tmp, 'labels.nii.gz'));
    await writeImage(probabilities, join(tmp, 'probabilities.nii.gz'));
    await writeImage(createImage(foreground, labels.shape, labels), join(tmp, 'foreground.nii.gz'));
    const findings = summarizeFindings(labels, probabilities, classes);

    progress('monitoring', 0.95);
    const channels = prediction.images.flatMap((img) => channelsOf(img).channels);
    const shape = labels.shape.slice(0, 3) as [number, number, number];
    const print = fingerprintCase(
      { id: record.id, shape, spacing: [...labels.spacing], channels, label: labels.data },
      classes.length,
    );
    const features = {
      ...caseFeatures(print, run.plan.channels, classes),
      entropy: prediction.summary.entropy,
      tta_variance: prediction.summary.ttaVariance,
      mirror_disagreement: prediction.summary.mirrorDisagreement,
    };
    const fingerprint = readFingerprint(modelDir(models.root, record.model)!);
    const modality = typeof prediction.image.meta.modality === 'string' ? prediction.image.meta.modality : null;
    const warnings = outOfDistribution(features, fingerprint ? trainingFeatures(fingerprint, classes) : [], {
      input: modality,
      expected: expectedModality(run.plan.channels, run.plan.normalization),
    });

    const written = [...inputs, 'labels.nii.gz', 'probabilities.nii.gz', 'foreground.nii.gz'];
    const sections: Record<string, unknown> = {};
    for (const ext of [dicomResults, ...resultExtensions()]) {
      const context = {
        record,
        run,
        images: prediction.images,
        labels,
        probabilities,
        findings,
        inputDir,
        outDir: tmp,
      };
      if (!ext.applies(context)) continue;
      const out = await ext.run(context);
      written.push(...out.files);
      if (out.section !== undefined) sections[ext.name] = out.section;
    }
    const finishedAt = new Date().toISOString();
    const result: JobResult = {
      job: record.id,
      model: record.model,
      classes,
      shape: labels.shape,
      spacing: [...labels.spacing],
      origin: [...labels.origin],
      direction: [...labels.direction],
      findings,
      uncertainty: prediction.summary,
      warnings,
      files: [...written, 'result.json'],
      extensions: sections,
      seconds: (performance.now() - started) / 1000,
      finishedAt,
    };
    writeFileAtomic(join(tmp, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (!existsSync(jobDir)) throw new VesaliusError('the job was deleted while it ran');
    rmSync(resultDir, { recursive: true, force: true });
    renameSync(tmp, resultDir);
    writeRecord(store.monitoringDir(record.model), {
      job: record.id,
      model: record.model,
      at: finishedAt,
      modality,
      features,
      warnings,
    });
    return result;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

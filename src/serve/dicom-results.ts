/**
 * The DICOM results of a job whose input is one DICOM series (a zipped upload, or a series retrieved
 * over DICOMweb): a SEG referencing that series (seg.dcm) and the TID 1500 SR of its findings
 * (sr.dcm), written with the same writers as `vesalius predict --format dicom-seg --sr`. For a
 * DICOMweb job asked to store its results, both go back into the study over STOW-RS (push.ts: one
 * request, checked per instance) and result.json records the stored SOP Instance UIDs.
 */
import { join } from 'node:path';
import { runSegments } from '../infer/predict.js';
import { writeDicomSeg } from '../io/dicom/seg/write.js';
import { DicomWebClient } from '../pacs/client.js';
import { pushFiles } from '../pacs/push.js';
import { writePredictionSr } from '../report/findings-sr.js';
import type { ResultContext, ResultExtension } from './extensions.js';
import { inside } from './ids.js';

export const SEG_FILE = 'seg.dcm';
export const SR_FILE = 'sr.dcm';

export interface DicomResultSection {
  seg: { file: string; sopInstanceUid: string; seriesInstanceUid: string; segments: number };
  sr: { file: string; sopInstanceUid: string; seriesInstanceUid: string; findings: number };
  /** For a DICOMweb job with `store`: where the objects were stored and what the PACS accepted. */
  stored?: { study: string; sopInstanceUids: string[] };
}

/** Applies to a job whose only input is a DICOM series. */
function applies(context: ResultContext): boolean {
  return context.record.inputs.length === 1 && context.record.inputs[0]!.kind === 'dicom';
}

async function run(context: ResultContext): Promise<{ files: string[]; section: DicomResultSection }> {
  const { record, labels } = context;
  const series = inside(context.inputDir, record.inputs[0]!.file);
  const segPath = join(context.outDir, SEG_FILE);
  const seg = await writeDicomSeg(labels, series, segPath, {
    segments: runSegments(context.run),
    algorithm: { name: `Vesalius ${record.model}`, version: '0.1.0' },
    seriesDescription: 'AI segmentation (Vesalius)',
  });
  const srPath = join(context.outDir, SR_FILE);
  const sr = writePredictionSr(
    srPath,
    { labels, image: context.images[0], probabilities: context.probabilities },
    seg,
    { modelName: record.model },
  );
  const section: DicomResultSection = {
    seg: {
      file: SEG_FILE,
      sopInstanceUid: seg.sopInstanceUid,
      seriesInstanceUid: seg.seriesInstanceUid,
      segments: seg.segments.length,
    },
    sr: {
      file: SR_FILE,
      sopInstanceUid: sr.sopInstanceUid,
      seriesInstanceUid: sr.seriesInstanceUid,
      findings: sr.findings.length,
    },
  };
  if (record.dicomweb?.store) {
    const stored = await pushFiles(new DicomWebClient(record.dicomweb.url), [segPath, srPath]);
    section.stored = { study: stored.study, sopInstanceUids: stored.stored.map((s) => s.sopInstanceUid) };
  }
  return { files: [SEG_FILE, SR_FILE], section };
}

/** The built-in `dicom` section of result.json (see the module comment). */
export const dicomResults: ResultExtension = { name: 'dicom', applies, run };

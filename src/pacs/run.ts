/**
 * `pacs run`: the round trip a hospital deployment makes. Find the study (by Study Instance UID,
 * Patient ID or Accession Number), choose the image series, retrieve it over WADO-RS, predict with a
 * run folder, write a SEG (and the SR of its findings) that reference it, store both over STOW-RS in
 * the same study, and read them back over WADO-RS to confirm the PACS serves them.
 */
import { join } from 'node:path';
import { type OutputFormat, predictImages } from '../infer/predict.js';
import type { SegmentationType } from '../io/dicom/seg/write.js';
import { writePredictionSr } from '../report/findings-sr.js';
import type { TrainingConfig } from '../train/config.js';
import { inferencePostprocess } from '../train/inference-options.js';
import { openRun } from '../export/open-model.js';
import type { DicomWebClient } from './client.js';
import { type DicomJson, jsonText } from './dicom-json.js';
import { PacsError } from './errors.js';
import { instanceHeader } from './instances.js';
import { pullStudy } from './pull.js';
import { pushFiles } from './push.js';

/** Modalities of derived, non-image objects that are never the input of a model. */
const NOT_IMAGES = new Set(['SEG', 'SR', 'PR', 'KO', 'RTSTRUCT', 'RTPLAN', 'RTDOSE', 'REG', 'DOC', 'FID']);

export interface StudyQuery {
  study?: string;
  patientId?: string;
  accession?: string;
}

export interface PacsRunOptions extends StudyQuery {
  /** Run folder (or RUN/checkpoints/NAME.safetensors). */
  run: string;
  checkpoint?: string;
  /** Series to segment (default: the study's only image series, or the only one of `modality`). */
  series?: string;
  modality?: string;
  /** Work folder: input/ (the retrieved series) and output/ (SEG, SR). */
  output: string;
  /** Also write and store the SR (default true). */
  sr?: boolean;
  /** Store the results (default true). */
  push?: boolean;
  segType?: SegmentationType;
  tta?: boolean;
  /** Progress lines (the CLI prints them on stderr). */
  onProgress?: (line: string) => void;
}

export interface PacsRunResult {
  study: string;
  series: string;
  seg: { path: string; sopInstanceUid: string; seriesInstanceUid: string };
  sr?: { path: string; sopInstanceUid: string; seriesInstanceUid: string; findings: number };
  stored: string[];
  /** SOP Instance UIDs the PACS served back over WADO-RS after the store. */
  verified: string[];
}

const describe = (s: DicomJson) =>
  `${jsonText(s, '0020000E')} (${jsonText(s, '00080060') || '?'}${jsonText(s, '0008103E') ? ` "${jsonText(s, '0008103E')}"` : ''}, ${jsonText(s, '00201209') || '?'} instances)`;

/** The one study matching the query. */
export async function findStudy(client: DicomWebClient, query: StudyQuery): Promise<string> {
  const q: Record<string, string> = {};
  if (query.study) q.StudyInstanceUID = query.study;
  if (query.patientId) q.PatientID = query.patientId;
  if (query.accession) q.AccessionNumber = query.accession;
  if (Object.keys(q).length === 0)
    throw new PacsError(client.url, 'name the study: a Study Instance UID, Patient ID or Accession Number');
  const studies = await client.searchStudies(q);
  const what = Object.entries(q)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  if (studies.length === 0) throw new PacsError(client.url, `no study with ${what}`);
  if (studies.length > 1)
    throw new PacsError(
      client.url,
      `${studies.length} studies with ${what}: ${studies.map((s) => jsonText(s, '0020000D')).join(', ')}; give the Study Instance UID`,
    );
  return jsonText(studies[0], '0020000D');
}

/** The image series to segment. */
export async function chooseSeries(
  client: DicomWebClient,
  study: string,
  options: { series?: string; modality?: string },
): Promise<string> {
  const all = await client.searchSeries(study);
  if (options.series) {
    if (!all.some((s) => jsonText(s, '0020000E') === options.series))
      throw new PacsError(
        client.url,
        `study ${study} has no series ${options.series}; it has ${all.map(describe).join('; ')}`,
      );
    return options.series;
  }
  const images = all.filter((s) => {
    const modality = jsonText(s, '00080060').toUpperCase();
    return options.modality ? modality === options.modality.toUpperCase() : !NOT_IMAGES.has(modality);
  });
  if (images.length === 1) return jsonText(images[0], '0020000E');
  if (images.length === 0)
    throw new PacsError(
      client.url,
      `study ${study} has no ${options.modality ?? 'image'} series; it has ${all.map(describe).join('; ') || 'none'}`,
    );
  throw new PacsError(
    client.url,
    `study ${study} has ${images.length} image series, choose one with its Series Instance UID: ${images.map(describe).join('; ')}`,
  );
}

/**
 * The round trip (see the module comment).
 *
 * @example
 * await pacsRun(new DicomWebClient('http://pacs:8042/dicom-web'), { run: 'runs/lesions', accession: 'A123', output: 'work' });
 */
export async function pacsRun(client: DicomWebClient, options: PacsRunOptions): Promise<PacsRunResult> {
  const say = options.onProgress ?? (() => {});
  // the model first: a bad run folder fails before anything is retrieved
  const model = await openRun(options.run, options.checkpoint);
  const study = await findStudy(client, options);
  const series = await chooseSeries(client, study, options);
  say(`study ${study}, series ${series}: retrieving`);
  const [pulled] = await pullStudy(client, study, join(options.output, 'input'), [series]);
  say(`retrieved ${pulled!.files.length} instance(s); predicting`);
  const withSr = options.sr ?? true;
  let srResult: PacsRunResult['sr'];
  let segResult: PacsRunResult['seg'] | undefined;
  const format: OutputFormat = 'dicom-seg';
  await predictImages(model, [{ id: series, files: [pulled!.folder] }], {
    output: join(options.output, 'output'),
    format,
    tta: options.tta ?? true,
    postprocess: inferencePostprocess((model as { config?: TrainingConfig }).config),
    keepProbabilities: withSr,
    seg: {
      type: options.segType ?? 'BINARY',
      algorithm: { name: `Vesalius ${options.run.replace(/\/+$/, '').split('/').pop()}`, version: '0.1.0' },
      seriesDescription: 'AI segmentation (Vesalius)',
    },
    onWritten: ({ prediction, seg }) => {
      if (!seg) return;
      segResult = { path: seg.path!, sopInstanceUid: seg.sopInstanceUid, seriesInstanceUid: seg.seriesInstanceUid };
      if (!withSr) return;
      const path = seg.path!.replace(/\.seg\.dcm$/, '.sr.dcm');
      const sr = writePredictionSr(path, prediction, seg);
      srResult = {
        path,
        sopInstanceUid: sr.sopInstanceUid,
        seriesInstanceUid: sr.seriesInstanceUid,
        findings: sr.findings.length,
      };
    },
  });
  const seg = segResult!;
  const result: PacsRunResult = { study, series, seg, ...(srResult ? { sr: srResult } : {}), stored: [], verified: [] };
  if (options.push === false) return result;
  const files = [seg.path, ...(srResult ? [srResult.path] : [])];
  say(`storing ${files.length} object(s) in study ${study}`);
  const stored = await pushFiles(client, files);
  result.stored = stored.stored.map((s) => s.sopInstanceUid);
  // read back: the PACS must serve what it said it stored
  for (const object of [seg, ...(srResult ? [srResult] : [])]) {
    const bytes = await client.retrieveInstance(study, object.seriesInstanceUid, object.sopInstanceUid);
    const header = instanceHeader(`${client.url} ${object.sopInstanceUid}`, bytes);
    if (header.sopInstanceUid !== object.sopInstanceUid || header.studyUid !== study)
      throw new PacsError(
        client.url,
        `served ${header.sopInstanceUid} of study ${header.studyUid} for ${object.sopInstanceUid}`,
      );
    result.verified.push(header.sopInstanceUid);
  }
  say(`stored and read back: ${result.verified.join(', ')}`);
  return result;
}

/**
 * A TID 1500 Imaging Measurement Report (PS3.16 A.35) in a Comprehensive SR: language, a device
 * observer, the procedure reported, an image library of the source instances, and one TID 1411
 * Volumetric ROI measurement group per finding that references its SEG segment (Referenced Segment,
 * Source series for segmentation) with its tracking identifier and UID, the finding and its site,
 * and numeric measurements with UCUM units.
 */
import type { DicomDataset } from '../write/dataset.js';
import { writeFileAtomic } from '../../../util/atomic.js';
import { OptionError } from '../../../util/errors.js';
import type { Code } from '../seg/codes.js';
import type { ReferenceSeries } from '../seg/reference.js';
import { equipment, patientAndStudy, type EquipmentOptions } from '../write/modules.js';
import { encodePart10 } from '../write/part10.js';
import { newUid } from '../write/uid.js';
import { dicomDateTime, longString } from '../write/values.js';
import { codeItem, type ContentItem, container, imageItem, numItem, textItem, uidItem } from './content.js';

export const COMPREHENSIVE_SR_STORAGE = '1.2.840.10008.5.1.4.1.1.88.33';

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });
const ucum = (value: string, meaning: string): Code => ({ value, scheme: 'UCUM', meaning });

/** Concept names and units the measurement groups use (SNOMED CT, DCM, UCUM). */
export const SR_CODES = {
  volume: sct('118565006', 'Volume'),
  longAxis: sct('103339001', 'Long axis'),
  shortAxis: sct('103340004', 'Short axis'),
  mean: sct('373098007', 'Mean'),
  certainty: dcm('111012', 'Certainty of Finding'),
  laterality: sct('272741003', 'Laterality'),
  cubicMillimetre: ucum('mm3', 'cubic millimeter'),
  millimetre: ucum('mm', 'millimeter'),
  hounsfield: ucum("[hnsf'U]", 'Hounsfield unit'),
  noUnits: ucum('1', 'no units'),
} as const;

export interface Measurement {
  concept: Code;
  value: number;
  unit: Code;
}

/** One finding: a TID 1411 measurement group on one segment of the SEG. */
export interface MeasurementGroup {
  /** Human tracking identifier ("Finding 1"). */
  trackingId: string;
  trackingUid?: string;
  /** What was found (usually the segment's property type). */
  finding: Code;
  findingSite?: Code;
  laterality?: Code;
  /** Segment number of the finding in the referenced SEG. */
  segmentNumber: number;
  measurements: Measurement[];
}

export interface ReportOptions extends EquipmentOptions {
  /** The SEG the groups reference. */
  segmentation: { sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string };
  /** The source series (patient, study, image library). */
  reference: ReferenceSeries;
  groups: MeasurementGroup[];
  /** The procedure reported (default: an imaging procedure). */
  procedure?: Code;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Device Observer UID (default: a new one). */
  observerUid?: string;
  sopInstanceUid?: string;
  seriesInstanceUid?: string;
  /** Whether the content is complete (default true; PARTIAL for truncated reports). */
  complete?: boolean;
}

const LANGUAGE = { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' };

function group(g: MeasurementGroup, options: ReportOptions): ContentItem {
  const children: ContentItem[] = [
    textItem('CONTAINS', dcm('112039', 'Tracking Identifier'), longString(g.trackingId)),
    uidItem('CONTAINS', dcm('112040', 'Tracking Unique Identifier'), g.trackingUid ?? newUid()),
    codeItem('CONTAINS', dcm('121071', 'Finding'), g.finding),
  ];
  if (g.findingSite) {
    const laterality = g.laterality ? [codeItem('HAS CONCEPT MOD', SR_CODES.laterality, g.laterality)] : [];
    children.push(codeItem('HAS CONCEPT MOD', sct('363698007', 'Finding Site'), g.findingSite, laterality));
  }
  children.push(
    imageItem('CONTAINS', dcm('121191', 'Referenced Segment'), {
      sopClassUid: options.segmentation.sopClassUid,
      sopInstanceUid: options.segmentation.sopInstanceUid,
      segmentNumber: g.segmentNumber,
    }),
    uidItem(
      'CONTAINS',
      dcm('121232', 'Source series for segmentation'),
      String(options.reference.header.SeriesInstanceUID ?? ''),
    ),
  );
  for (const m of g.measurements) {
    if (!Number.isFinite(m.value)) continue;
    children.push(numItem('CONTAINS', m.concept, m.value, m.unit));
  }
  return container('CONTAINS', dcm('125007', 'Measurement Group'), children, '1411');
}

/** Evidence: every instance referenced, by study and series. */
function evidence(options: ReportOptions): DicomDataset[] {
  const ref = options.reference;
  const source = new Map<string, string>();
  for (const f of ref.frames) source.set(f.sopInstanceUid, f.sopClassUid);
  return [
    {
      StudyInstanceUID: ref.header.StudyInstanceUID,
      ReferencedSeriesSequence: [
        {
          SeriesInstanceUID: ref.header.SeriesInstanceUID,
          ReferencedSOPSequence: [...source].map(([uid, cls]) => ({
            ReferencedSOPClassUID: cls,
            ReferencedSOPInstanceUID: uid,
          })),
        },
        {
          SeriesInstanceUID: options.segmentation.seriesInstanceUid,
          ReferencedSOPSequence: [
            {
              ReferencedSOPClassUID: options.segmentation.sopClassUid,
              ReferencedSOPInstanceUID: options.segmentation.sopInstanceUid,
            },
          ],
        },
      ],
    },
  ];
}

/**
 * Builds the measurement report. The source must carry Study and Series Instance UIDs (the report
 * lives in its study and points at its series).
 *
 * @throws OptionError when the reference lacks the UIDs a report must name.
 */
export function buildMeasurementReport(options: ReportOptions): { dataset: DicomDataset; bytes: Uint8Array } {
  const ref = options.reference;
  if (!ref.header.StudyInstanceUID || !ref.header.SeriesInstanceUID)
    throw new OptionError(
      'reference',
      `${ref.path}: the source series has no Study/Series Instance UID for a report to reference`,
    );
  const now = dicomDateTime();
  const images = [...new Map(ref.frames.map((f) => [f.sopInstanceUid, f])).values()].map((f) =>
    imageItem('CONTAINS', undefined, { sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid }),
  );
  const device = equipment(options);
  const content: ContentItem[] = [
    codeItem('HAS CONCEPT MOD', dcm('121049', 'Language of Content Item and Descendants'), LANGUAGE),
    codeItem('HAS OBS CONTEXT', dcm('121005', 'Observer Type'), dcm('121007', 'Device')),
    uidItem('HAS OBS CONTEXT', dcm('121012', 'Device Observer UID'), options.observerUid ?? newUid()),
    textItem('HAS OBS CONTEXT', dcm('121013', 'Device Observer Name'), 'Vesalius'),
    textItem('HAS OBS CONTEXT', dcm('121014', 'Device Observer Manufacturer'), device.Manufacturer),
    textItem('HAS OBS CONTEXT', dcm('121015', 'Device Observer Model Name'), device.ManufacturerModelName),
    codeItem(
      'HAS CONCEPT MOD',
      dcm('121058', 'Procedure reported'),
      options.procedure ?? sct('363679005', 'Imaging procedure'),
    ),
    container('CONTAINS', dcm('111028', 'Image Library'), [
      container('CONTAINS', dcm('126200', 'Image Library Group'), images),
    ]),
    container(
      'CONTAINS',
      dcm('126010', 'Imaging Measurements'),
      options.groups.map((g) => group(g, options)),
    ),
  ];
  const sourceSeriesNumber = Number(ref.header.SeriesNumber);
  const dataset: DicomDataset = {
    ...patientAndStudy(ref.header),
    ...device,
    SOPClassUID: COMPREHENSIVE_SR_STORAGE,
    SOPInstanceUID: options.sopInstanceUid ?? newUid(),
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    Modality: 'SR',
    SeriesInstanceUID: options.seriesInstanceUid ?? newUid(),
    SeriesNumber: options.seriesNumber ?? (Number.isInteger(sourceSeriesNumber) ? sourceSeriesNumber + 2000 : 2000),
    SeriesDescription: longString(options.seriesDescription ?? 'Measurements (Vesalius)'),
    ReferencedPerformedProcedureStepSequence: [],
    InstanceNumber: 1,
    CompletionFlag: options.complete === false ? 'PARTIAL' : 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: now.date,
    ContentTime: now.time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence(options),
    ...container(undefined, dcm('126000', 'Imaging Measurement Report'), content, '1500'),
  };
  return { dataset, bytes: encodePart10(dataset) };
}

/** buildMeasurementReport, written atomically to `path`. */
export function writeMeasurementReport(
  path: string,
  options: ReportOptions,
): { dataset: DicomDataset; bytes: Uint8Array } {
  const report = buildMeasurementReport(options);
  writeFileAtomic(path, report.bytes);
  return report;
}

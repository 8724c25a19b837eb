/**
 * Findings as a DICOM TID 1500 measurement report next to their SEG: one measurement group per
 * finding, referencing the SEG segment of its class (a segment holds every finding of its class; the
 * group's tracking identifier and measurements are those of one connected component), with the
 * finding (the segment's property type), its site (from the atlas location, when the table knows the
 * structure) and laterality, volume (area in 2D), long and short axis, mean intensity and the model's
 * mean probability.
 */
import { codesForName, LATERALITY } from '../io/dicom/seg/codes.js';
import type { SegResult } from '../io/dicom/seg/write.js';
import { type MeasurementGroup, SR_CODES, writeMeasurementReport } from '../io/dicom/sr/tid1500.js';
import { newUid } from '../io/dicom/write/uid.js';
import { fitToGrid } from '../io/dicom/seg/grid-match.js';
import type { Image } from '../io/image.js';
import { type Finding, findFindings } from './findings.js';

const AREA = { value: '42798000', scheme: 'SCT', meaning: 'Area' };
const SQUARE_MILLIMETRE = { value: 'mm2', scheme: 'UCUM', meaning: 'square millimeter' };

/** The measurement groups for `findings` on the segments of `seg` (segment number = class value). */
export function findingGroups(
  findings: Finding[],
  seg: Pick<SegResult, 'segments'>,
  modality?: string,
): MeasurementGroup[] {
  return findings.map((f) => {
    const segment = seg.segments.find((s) => s.number === f.classValue);
    if (!segment) throw new RangeError(`finding ${f.id} is of class ${f.classValue}, which the SEG has no segment for`);
    const site = f.location ? codesForName(f.location.name) : undefined;
    const measurements = [
      f.is2D
        ? { concept: AREA, value: f.volume, unit: SQUARE_MILLIMETRE }
        : { concept: SR_CODES.volume, value: f.volume, unit: SR_CODES.cubicMillimetre },
      { concept: SR_CODES.longAxis, value: f.longAxis, unit: SR_CODES.millimetre },
      { concept: SR_CODES.shortAxis, value: f.shortAxis, unit: SR_CODES.millimetre },
    ];
    if (f.meanIntensity !== undefined)
      measurements.push({
        concept: SR_CODES.mean,
        value: f.meanIntensity,
        unit: modality === 'CT' ? SR_CODES.hounsfield : SR_CODES.noUnits,
      });
    if (f.meanProbability !== undefined)
      measurements.push({ concept: SR_CODES.certainty, value: f.meanProbability, unit: SR_CODES.noUnits });
    const group: MeasurementGroup = {
      trackingId: `Finding ${f.id}`,
      trackingUid: newUid(),
      finding: segment.type,
      segmentNumber: segment.number,
      measurements,
    };
    if (site) group.findingSite = site.type;
    if (site && (f.side === 'left' || f.side === 'right')) group.laterality = LATERALITY[f.side];
    return group;
  });
}

export interface FindingsSrOptions {
  findings: Finding[];
  seg: SegResult;
  /** Manufacturer's model name (the run that made the prediction). */
  modelName?: string;
  seriesDescription?: string;
}

/** Writes the SR for findings measured on the label of `seg`, referencing `seg` and its source. */
export function writeFindingsSr(
  path: string,
  options: FindingsSrOptions,
): { sopInstanceUid: string; seriesInstanceUid: string; bytes: Uint8Array } {
  const { seg } = options;
  const report = writeMeasurementReport(path, {
    segmentation: {
      sopClassUid: seg.dataset.SOPClassUID,
      sopInstanceUid: seg.sopInstanceUid,
      seriesInstanceUid: seg.seriesInstanceUid,
    },
    reference: seg.reference,
    groups: findingGroups(options.findings, seg, String(seg.reference.header.Modality ?? '')),
    modelName: options.modelName,
    seriesDescription: options.seriesDescription,
  });
  return {
    sopInstanceUid: report.dataset.SOPInstanceUID,
    seriesInstanceUid: report.dataset.SeriesInstanceUID,
    bytes: report.bytes,
  };
}

/**
 * The SR of a fresh prediction: findings of its labels (with the input image's intensities and the
 * model's probabilities when given), measured and written next to the SEG written from the same labels.
 */
export function writePredictionSr(
  path: string,
  prediction: { labels: Image; image?: Image; probabilities?: Image },
  seg: SegResult,
  options: { classNames?: ReadonlyMap<number, string>; modelName?: string } = {},
): { findings: Finding[]; sopInstanceUid: string; seriesInstanceUid: string; bytes: Uint8Array } {
  // measure on the grid the SEG was written on (the reference series' own voxel order)
  const labels = seg.label;
  const onGrid = (image: Image | undefined) => (image ? fitToGrid(image, labels, { what: 'image' }) : undefined);
  const findings = findFindings(labels, {
    image: onGrid(prediction.image),
    probabilities: onGrid(prediction.probabilities),
    classNames: options.classNames ?? new Map(seg.segments.map((s) => [s.number, s.label])),
  });
  const written = writeFindingsSr(path, { findings, seg, modelName: options.modelName });
  return { findings, ...written };
}

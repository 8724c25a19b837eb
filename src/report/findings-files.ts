/**
 * `findings` over files: reads the prediction (any image, or a DICOM SEG), and optionally the image,
 * probabilities and atlas; names classes from a names file, the run's dataset, or the SEG's segments;
 * writes the report as .txt, .json, .html and .pdf atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitToGrid } from '../io/dicom/seg/grid-match.js';
import { readSegmentSpecs } from '../io/dicom/seg/specs-file.js';
import { orientationCode } from '../io/geometry.js';
import type { Image } from '../io/image.js';
import { readImage } from '../io/read.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError } from '../util/errors.js';
import { type Finding, findFindings } from './findings.js';
import { buildFindingsReport, type FindingsReport, reportHtml, reportPdf, reportText } from './findings-report.js';

export const REPORT_FORMATS = ['txt', 'json', 'html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface FindingsFilesOptions {
  image?: string;
  probabilities?: string;
  atlas?: string;
  /** Names of the atlas labels (JSON: {"1": "liver"} or a dataset.json); a SEG atlas names itself. */
  atlasNames?: string;
  /** Names of the predicted classes (same forms); default: the run's classes, or the SEG's segments. */
  names?: string;
  /** The run folder that made the prediction: class names and the model line. */
  run?: string;
  /** Output path without extension (OUT → OUT.txt, OUT.json ...). */
  output?: string;
  formats?: ReportFormat[];
  minVolume?: number;
  midlineX?: number;
}

/** Label names carried by an image read from a SEG ("1=liver; 2=kidney"). */
function namesFromMeta(image: Image): Map<number, string> | undefined {
  if (typeof image.meta.segments !== 'string') return undefined;
  const out = new Map<number, string>();
  for (const part of image.meta.segments.split('; ')) {
    const m = /^(\d+)=(.*)$/.exec(part);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

function namesFromFile(path: string): Map<number, string> {
  return new Map(readSegmentSpecs(path).map((s) => [s.number, s.label ?? `class ${s.number}`]));
}

function namesFromRun(run: string): Map<number, string> {
  const path = join(run, 'dataset.json');
  if (!existsSync(path)) throw new OptionError('run', `${run}: not a run folder (no dataset.json)`);
  const info = JSON.parse(readFileSync(path, 'utf8')) as { labels?: { name: string; value: number }[] };
  return new Map((info.labels ?? []).filter((l) => l.value !== 0).map((l) => [l.value, l.name]));
}

/**
 * Findings of a prediction file, with the optional image, probabilities and atlas, and the report
 * written as BASE.txt/.json/.html/.pdf when `output` is given.
 *
 * @example
 * const { report } = await findingsFromFiles('pred.nii.gz', { image: 'ct.nii.gz', output: 'out/findings' });
 */
export async function findingsFromFiles(
  prediction: string,
  options: FindingsFilesOptions = {},
): Promise<{ findings: Finding[]; report: FindingsReport; written: string[] }> {
  let labels = await readImage(prediction);
  const image = options.image ? await readImage(options.image) : undefined;
  // a SEG spans only the slices its frames cover: put it on the image's grid
  if (image && labels.meta.format === 'dicom-seg')
    labels = { ...fitToGrid(labels, image, { resample: true }), meta: labels.meta };
  const probabilities = options.probabilities ? await readImage(options.probabilities) : undefined;
  const atlas = options.atlas ? await readImage(options.atlas) : undefined;
  const classNames = options.names
    ? namesFromFile(options.names)
    : options.run
      ? namesFromRun(options.run)
      : namesFromMeta(labels);
  const atlasNames = options.atlasNames ? namesFromFile(options.atlasNames) : atlas ? namesFromMeta(atlas) : undefined;
  const midlineX = options.midlineX ?? 0;
  const findings = findFindings(labels, {
    image,
    probabilities,
    atlas,
    atlasNames,
    classNames,
    minVolume: options.minVolume,
    midlineX,
  });
  const report = buildFindingsReport(findings, {
    prediction,
    image: options.image,
    probabilities: options.probabilities,
    atlas: options.atlas,
    model: options.run,
    shape: labels.shape.slice(0, 3),
    spacing: [...labels.spacing],
    orientation: orientationCode(labels.direction),
    midlineX,
  });
  const written: string[] = [];
  if (options.output) {
    for (const format of options.formats ?? REPORT_FORMATS) {
      const path = `${options.output}.${format}`;
      const body =
        format === 'txt'
          ? reportText(report)
          : format === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : format === 'html'
              ? reportHtml(report)
              : reportPdf(report);
      writeFileAtomic(path, body);
      written.push(path);
    }
  }
  return { findings, report, written };
}

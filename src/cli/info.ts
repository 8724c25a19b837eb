/** `vesalius info PATH [--json]`: geometry and intensity summary of an image file or DICOM folder. */
import type { Command } from 'commander';
import { readDicomSeriesList } from '../io/dicom-bridge.js';
import { isDirectory } from '../io/files.js';
import { orientationCode } from '../io/geometry.js';
import type { Image } from '../io/image.js';
import { readImage } from '../io/read.js';
import { summarize, type ImageSummary } from '../io/summary.js';

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

function human(s: ImageSummary, image: Image): string {
  const d = s.direction;
  const lines = [
    s.path,
    `  shape      ${s.shape.join(' x ')}`,
    `  spacing    ${s.spacing.map(fmt).join(' x ')} mm`,
    `  origin     (${s.origin.map(fmt).join(', ')}) mm, LPS`,
    `  direction  [${[0, 3, 6]
      .map((r) =>
        d
          .slice(r, r + 3)
          .map(fmt)
          .join(' '),
      )
      .join('; ')}]  (orientation ${orientationCode(image.direction)})`,
    `  dtype      ${s.dtype}`,
    `  intensity  min ${fmt(s.min)}  max ${fmt(s.max)}  mean ${fmt(s.mean)}`,
  ];
  if (typeof image.meta.segments === 'string') lines.push(`  segments   ${image.meta.segments}`);
  if (typeof image.meta.warnings === 'string') lines.push(`  warnings   ${image.meta.warnings}`);
  const description = image.meta.seriesDescription ?? image.meta.SeriesDescription;
  if (description !== undefined) lines.splice(1, 0, `  series     ${description}`);
  return lines.join('\n');
}

export async function runInfo(path: string, options: { json?: boolean }): Promise<void> {
  const images: Array<{ image: Image; path: string }> = [];
  if (isDirectory(path)) {
    // A folder is a DICOM study: one entry per series (see src/io/dicom-bridge.ts).
    for (const image of await readDicomSeriesList(path)) {
      const where = typeof image.meta.path === 'string' ? image.meta.path : path;
      images.push({ image, path: where });
    }
  } else images.push({ image: await readImage(path), path });
  for (const { image, path: where } of images) {
    const summary = summarize(image, where);
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${human(summary, image)}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('info')
    .description(
      'shape, spacing, origin, direction (LPS), dtype and intensity range of an image file or every series of a DICOM folder',
    )
    .argument('<path>', 'image file (NIfTI, NRRD, MetaImage, DICOM, PNG/JPEG/TIFF/GIF) or DICOM folder')
    .option('--json', 'one JSON object per image on stdout')
    .action(runInfo);
}

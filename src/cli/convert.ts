/**
 * `vesalius convert IN OUT`: any readable image, DICOM series or DICOM SEG → .nii(.gz) / .nrrd / .nhdr /
 * .mha / .mhd / .png, geometry kept; `LABEL OUT.dcm --reference DICOM_DIR` writes a DICOM SEG.
 */
import type { Command } from 'commander';
import { loadReferenceSeries, readDicomSeg, readSegmentSpecs, writeDicomSeg } from '../io/dicom/index.js';
import { readImage } from '../io/read.js';
import { writeImage } from '../io/write.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface ConvertFlags {
  reference?: string;
  series?: string;
  type?: string;
  segments?: string;
  resample?: boolean;
  description?: string;
  algorithm?: string;
  manual?: boolean;
}

const isDicomOut = (path: string) => /\.dcm$/i.test(path);

export async function runConvert(input: string, output: string, flags: ConvertFlags = {}): Promise<void> {
  if (isDicomOut(output)) {
    if (!flags.reference)
      throw new OptionError('--reference', 'writing a DICOM SEG needs the series it segments: --reference DICOM_DIR');
    const type = (flags.type ?? 'binary').toUpperCase();
    if (type !== 'BINARY' && type !== 'LABELMAP')
      throw new OptionError('--type', `must be binary or labelmap, got "${flags.type}"`);
    const label = await readImage(input);
    const result = await withFlagNames({ segments: '--segments', type: '--type' }, () =>
      writeDicomSeg(label, flags.reference!, output, {
        type,
        referenceSeriesUid: flags.series,
        segments: flags.segments ? readSegmentSpecs(flags.segments) : undefined,
        resample: flags.resample,
        seriesDescription: flags.description,
        manual: flags.manual,
        ...(flags.algorithm ? { algorithm: { name: flags.algorithm, version: '1' } } : {}),
      }),
    );
    for (const w of result.warnings) process.stderr.write(`convert: warning: ${w}\n`);
    const empty = result.segments.filter((s) => s.empty).map((s) => s.number);
    process.stderr.write(
      `wrote ${output} (${type} SEG, ${result.segments.length} segment(s)${empty.length ? `, empty: ${empty.join(' ')}` : ''}, ${result.dataset.NumberOfFrames} frame(s), referencing series ${result.dataset.ReferencedSeriesSequence[0].SeriesInstanceUID})\n`,
    );
    return;
  }
  // a SEG with --reference comes back on the series' grid, voxel for voxel
  const image = flags.reference
    ? (
        await readDicomSeg(input, {
          reference: (await loadReferenceSeries(flags.reference, { seriesUid: flags.series })).grid,
        })
      ).image
    : await readImage(input);
  await writeImage(image, output);
  process.stderr.write(`wrote ${output} (${image.shape.join(' x ')})\n`);
}

export function register(program: Command): void {
  program
    .command('convert')
    .description(
      'convert an image, DICOM series or DICOM SEG to .nii.gz, .nii, .nrrd, .nhdr, .mha, .mhd or .png keeping its geometry; a label to a DICOM SEG (OUT.dcm --reference DICOM_DIR)',
    )
    .argument('<in>', 'input image file, DICOM folder or DICOM SEG')
    .argument('<out>', 'output file; the format follows the extension (.dcm: DICOM SEG, needs --reference)')
    .option(
      '--reference <dir>',
      'the DICOM series the label segments (for OUT.dcm); or, reading a SEG, the grid to put it on',
    )
    .option('--series <uid>', 'which series of the reference folder, when it holds several')
    .option(
      '--type <binary|labelmap>',
      'SEG type: binary (one segment per class, overlap allowed) or labelmap (DICOM 2024)',
      'binary',
    )
    .option(
      '--segments <json>',
      'segment names and codes: {"1": "liver", "2": {"label": ..., "type": {value, scheme, meaning}}} or a dataset.json',
    )
    .option('--resample', 'resample a label that is not on the series grid (nearest neighbour) instead of refusing it')
    .option('--description <text>', 'Series Description of the SEG')
    .option('--algorithm <name>', 'algorithm name recorded in the SEG (default Vesalius)')
    .option('--manual', 'a manual segmentation (Segment Algorithm Type MANUAL)')
    .action(runConvert);
}

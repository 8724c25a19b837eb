/** `vesalius convert IN OUT`: any readable image or DICOM series → .nii(.gz) / .nrrd / .nhdr / .mha / .mhd / .png, geometry kept. */
import type { Command } from 'commander';
import { readImage } from '../io/read.js';
import { writeImage } from '../io/write.js';

export async function runConvert(input: string, output: string): Promise<void> {
  const image = await readImage(input);
  await writeImage(image, output);
  process.stderr.write(`wrote ${output} (${image.shape.join(' x ')})\n`);
}

export function register(program: Command): void {
  program
    .command('convert')
    .description(
      'convert an image or DICOM series to .nii.gz, .nii, .nrrd, .nhdr, .mha, .mhd or .png, keeping its geometry',
    )
    .argument('<in>', 'input image file or DICOM folder')
    .argument('<out>', 'output file; the format follows the extension')
    .action(runConvert);
}

/**
 * `vesalius explain RUN IMAGE... --method gradcam|gradcam++|occlusion [--layer NAME] [--class C] -o OUT`:
 * heatmaps of a classification run's decision (or of a segmentation run's prediction of one class over
 * the region where it predicts it), written as NIfTI in each input's geometry and as PNG overlays;
 * `--mask T` adds the map thresholded at T as a pseudo-mask. The logic is in src/explain.
 */
import type { Command } from 'commander';
import { EXPLAIN_METHODS, type ExplainedImage, type ExplainMethod, explainImages } from '../explain/explain.js';
import { explainSegmentation } from '../explain/segmentation.js';
import { loadClassificationRun } from '../train/classification/run.js';
import { loadRun } from '../train/run-folder.js';
import { taskOfRun } from '../train/tasks.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface ExplainFlags {
  output: string;
  method: string;
  layer?: string;
  class?: string;
  mask?: string;
  window?: string;
  checkpoint?: string;
  json?: boolean;
}

export async function runExplain(runDir: string, inputs: string[], flags: ExplainFlags): Promise<void> {
  const task = taskOfRun(runDir);
  if (task !== 'classification' && task !== 'segmentation')
    throw new OptionError('run', `${runDir} is a ${task} run (explain reads classification and segmentation runs)`);
  const mask = flags.mask === undefined ? undefined : Number(flags.mask);
  const window = flags.window === undefined ? undefined : Number(flags.window);
  if (window !== undefined && !(Number.isInteger(window) && window > 0))
    throw new OptionError('--window', `must be a positive integer, got "${flags.window}"`);
  if (flags.checkpoint !== undefined && flags.checkpoint !== 'best' && flags.checkpoint !== 'last')
    throw new OptionError('--checkpoint', `must be best or last, got "${flags.checkpoint}"`);
  if (task === 'segmentation') return explainSegmentationRun(runDir, inputs, flags, mask);
  const run = loadClassificationRun(runDir, (flags.checkpoint as 'best' | 'last' | undefined) ?? 'best');
  const written = await withFlagNames({ method: '--method', layer: '--layer', class: '--class', mask: '--mask' }, () =>
    explainImages(run, inputs, {
      method: flags.method as ExplainMethod,
      layer: flags.layer,
      classIndex: flags.class,
      output: flags.output,
      mask,
      occlusionWindow: window,
    }),
  );
  report(written, flags);
}

async function explainSegmentationRun(
  runDir: string,
  inputs: string[],
  flags: ExplainFlags,
  mask: number | undefined,
): Promise<void> {
  if (flags.method !== 'gradcam' && flags.method !== 'gradcam++')
    throw new OptionError('--method', `a segmentation run is explained by gradcam or gradcam++, got "${flags.method}"`);
  const run = loadRun(runDir, { checkpoint: (flags.checkpoint as 'best' | 'last' | undefined) ?? 'best' });
  try {
    const written = await withFlagNames({ layer: '--layer', class: '--class', mask: '--mask' }, () =>
      explainSegmentation(run, inputs, {
        method: flags.method as 'gradcam' | 'gradcam++',
        layer: flags.layer,
        classIndex: flags.class,
        output: flags.output,
        mask,
        onWarning: (m) => process.stderr.write(`explain: warning: ${m}\n`),
      }),
    );
    report(written, flags);
  } finally {
    run.model.dispose();
  }
}

function report(written: ExplainedImage[], flags: ExplainFlags): void {
  for (const w of written)
    process.stderr.write(
      `explain: ${w.input} → class ${w.className}: ${w.heatmap}, ${w.overlay}${w.mask ? `, ${w.mask}` : ''}\n`,
    );
  if (flags.json) process.stdout.write(`${JSON.stringify(written)}\n`);
}

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      "heatmaps of a classification run's decision (Grad-CAM, Grad-CAM++, occlusion sensitivity), or of a segmentation run's prediction of one class (Grad-CAM of its logits over the region it predicts), written in each input's geometry (NIfTI) and as PNG overlays",
    )
    .argument('<run>', 'classification or segmentation run folder')
    .argument('<images...>', "images or DICOM folders; a case's channel files joined by commas")
    .requiredOption('-o, --output <dir>', 'output folder')
    .option('--method <name>', EXPLAIN_METHODS.join(' | '), 'gradcam')
    .option(
      '--layer <name>',
      "Grad-CAM layer, as in the state dict's names (default: ResNet layer4, DenseNet features.norm5, VGG features.42, ViT the last block's ln_1, its tokens on the patch grid)",
    )
    .option(
      '--class <c>',
      'class to explain, by name or index (default: the predicted class; segmentation: the first foreground class)',
    )
    .option('--mask <t>', 'also write the normalised map thresholded at t (0..1) as a 0/1 pseudo-mask')
    .option('--window <n>', 'occlusion window in voxels (default: a quarter of each edge)')
    .option('--checkpoint <best|last>', 'which checkpoint (default best)')
    .option('--json', 'print the files written as JSON on stdout')
    .action(runExplain);
}

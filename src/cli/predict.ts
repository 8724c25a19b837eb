/**
 * `vesalius predict RUN|MODEL INPUT... -o OUT`: segments new images with a trained run (or a
 * checkpoint file inside one), with the run's preprocessing, sliding window, mirroring TTA, ensemble
 * averaging and post-processing; writes label maps (and probability maps) with each input's geometry.
 * The logic lives in src/infer/predict.ts.
 */
import { withFlagNames } from './flags.js';
import type { Command } from 'commander';
import { basename } from 'node:path';
import { setNumThreads } from '../engine/threads.js';
import { groupInputs, OUTPUT_FORMATS, predictImages, type OutputFormat } from '../infer/predict.js';
import type { PostprocessOptions } from '../infer/postprocess.js';
import { inferencePostprocess, openRun } from '../train/open-run.js';
import type { SegResult } from '../io/dicom/seg/write.js';
import { writePredictionSr } from '../report/findings-sr.js';
import { OptionError } from '../util/errors.js';

interface PredictFlags {
  output: string;
  tta: boolean;
  overlap: string;
  batch: string;
  checkpoint?: string;
  ensemble?: string[];
  probabilities?: boolean;
  postprocess?: string;
  format?: string;
  threads?: string;
  json?: boolean;
  sr?: boolean;
  segType?: string;
}

/** 'largest' | 'none' | 'min-size=N' | 'fill-holes', several joined by commas. */
export function parsePostprocess(spec: string | undefined): PostprocessOptions | undefined {
  if (spec === undefined) return undefined;
  const out: PostprocessOptions = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^min-size=(\d+)$/.exec(part);
    if (part === 'none') continue;
    else if (part === 'largest') out.keepLargest = true;
    else if (part === 'fill-holes') out.fillHoles = true;
    else if (m) out.removeSmaller = Number(m[1]);
    else
      throw new OptionError(
        '--postprocess',
        `unknown step "${part}" (use largest, none, min-size=N, fill-holes; several joined by commas)`,
      );
  }
  return out;
}

function number(value: string, option: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (!check(n)) throw new OptionError(option, `${what}, got "${value}"`);
  return n;
}

export async function runPredict(model: string, inputs: string[], flags: PredictFlags): Promise<void> {
  const overlap = number(flags.overlap, '--overlap', (n) => n >= 0 && n < 1, 'must be in [0, 1)');
  const batchSize = number(flags.batch, '--batch', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  if (flags.format !== undefined && !OUTPUT_FORMATS.includes(flags.format as OutputFormat)) {
    throw new OptionError('--format', `must be one of ${OUTPUT_FORMATS.join(', ')}, got "${flags.format}"`);
  }
  if (flags.sr && flags.format !== 'dicom-seg')
    throw new OptionError('--sr', 'needs --format dicom-seg (the SR references the SEG)');
  const segType = (flags.segType ?? 'binary').toUpperCase();
  if (segType !== 'BINARY' && segType !== 'LABELMAP')
    throw new OptionError('--seg-type', `must be binary or labelmap, got "${flags.segType}"`);
  const postprocess = parsePostprocess(flags.postprocess);
  if (flags.threads !== undefined)
    setNumThreads(
      number(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
    );
  const runs = await withFlagNames({ checkpoint: '--checkpoint' }, async () =>
    [model, ...(flags.ensemble ?? [])].map((path) => openRun(path, flags.checkpoint)),
  );
  const cases = groupInputs(inputs, runs[0]!.plan.channels.length);
  const started = performance.now();
  const srWritten: string[] = [];
  const written = await withFlagNames({ format: '--format', overlap: '--overlap', ensemble: '--ensemble' }, () =>
    predictImages(runs, cases, {
      output: flags.output,
      format: flags.format as OutputFormat | undefined,
      tta: flags.tta,
      overlap,
      batchSize,
      probabilities: flags.probabilities,
      postprocess: postprocess ?? inferencePostprocess(runs[0]!),
      onCase: (id, index, total) => process.stderr.write(`predict: case ${index + 1}/${total} ${id}\n`),
      seg: {
        type: segType,
        algorithm: { name: `Vesalius ${basename(model)}`, version: '0.1.0' },
        modelName: basename(model),
      },
      keepProbabilities: flags.sr,
      onWritten: async ({ prediction, seg }) => {
        for (const w of seg?.warnings ?? []) process.stderr.write(`predict: warning: ${w}\n`);
        if (!flags.sr || !seg) return;
        const path = srPathFor(seg, flags.output);
        const sr = writePredictionSr(path, prediction, seg, { modelName: basename(model) });
        srWritten.push(path);
        process.stderr.write(`predict: wrote ${path} (${sr.findings.length} finding(s))\n`);
      },
      onWindows: process.stderr.isTTY
        ? (done, total) => process.stderr.write(`\r  windows ${done}/${total}${done === total ? '\n' : ''}`)
        : undefined,
    }),
  );
  for (const w of written)
    process.stderr.write(`predict: wrote ${w.labels}${w.probabilities ? ` and ${w.probabilities}` : ''}\n`);
  process.stderr.write(
    `predict: ${written.length} case(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (flags.json)
    process.stdout.write(
      `${JSON.stringify(flags.sr ? written.map((w, i) => ({ ...w, sr: srWritten[i] })) : written)}\n`,
    );
}

/** The SR beside its SEG: CASE.seg.dcm → CASE.sr.dcm (or OUT.dcm → OUT.sr.dcm). */
function srPathFor(seg: SegResult, output: string): string {
  const segPath = seg.path ?? output;
  return segPath.replace(/(\.seg)?\.dcm$/i, '.sr.dcm');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  program
    .command('predict')
    .description(
      "segment images with a trained run: the run's preprocessing, sliding window (Gaussian, mirroring TTA), ensemble averaging, post-processing; outputs keep each input's geometry",
    )
    .argument('<model>', 'run folder (or RUN/checkpoints/NAME.safetensors)')
    .argument(
      '<inputs...>',
      "images or DICOM folders; a case's channel files joined by commas (a.nii.gz,b.nii.gz) or named CASE_0000, CASE_0001, ...",
    )
    .requiredOption('-o, --output <out>', 'output folder (or, for one input, a file name)')
    .option('--no-tta', 'no mirroring test-time augmentation (about 2^dims times faster)')
    .option('--overlap <f>', 'window overlap', '0.5')
    .option('--batch <n>', 'windows per forward pass', '1')
    .option(
      '--checkpoint <best|last>',
      'which checkpoint of each run (default best, or last when the run never validated)',
    )
    .option(
      '--ensemble <run>',
      'another run (or checkpoint file) whose probabilities are averaged in; repeatable',
      collect,
    )
    .option('--probabilities', 'also write probability maps (float32, one channel per class) under OUT/probabilities')
    .option(
      '--postprocess <steps>',
      "largest | none | min-size=N | fill-holes (comma-separated; default: the run config's inference section)",
    )
    .option(
      '--format <fmt>',
      `output format: ${OUTPUT_FORMATS.join(', ')} (default: png for 2D rasters, nrrd for NRRD, else nii.gz)`,
    )
    .option('--sr', 'with --format dicom-seg: also a DICOM SR (TID 1500) of the findings, beside each SEG')
    .option('--seg-type <binary|labelmap>', 'SEG type for --format dicom-seg', 'binary')
    .option('--threads <n>', 'CPU threads (default: every core)')
    .option('--json', 'print the files written as JSON on stdout')
    .action(runPredict);
}

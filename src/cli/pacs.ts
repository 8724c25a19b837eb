/**
 * `vesalius pacs pull|push|run URL ...`: DICOMweb with a PACS. `run` retrieves a study's series,
 * predicts with a run folder and stores the SEG and SR back in the same study.
 */
import type { Command } from 'commander';
import { DicomWebClient, type DicomWebOptions } from '../pacs/client.js';
import { pullStudy } from '../pacs/pull.js';
import { pushFiles } from '../pacs/push.js';
import { findStudy, pacsRun } from '../pacs/run.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface ConnectionFlags {
  token?: string;
  header?: string[];
  timeout?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function client(url: string, flags: ConnectionFlags): DicomWebClient {
  const headers: Record<string, string> = {};
  for (const h of flags.header ?? []) {
    const at = h.indexOf(':');
    if (at <= 0) throw new OptionError('--header', `expected "Name: value", got "${h}"`);
    headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  }
  const options: DicomWebOptions = { headers, token: flags.token ?? process.env.VESALIUS_PACS_TOKEN };
  if (flags.timeout !== undefined) {
    const seconds = Number(flags.timeout);
    if (!(seconds > 0))
      throw new OptionError('--timeout', `must be a positive number of seconds, got "${flags.timeout}"`);
    options.timeoutMs = seconds * 1000;
  }
  return new DicomWebClient(url, options);
}

function connection(command: Command): Command {
  return command
    .option('--token <token>', 'bearer token (or VESALIUS_PACS_TOKEN)')
    .option('--header <header>', 'extra HTTP header "Name: value" (repeatable)', collect)
    .option('--timeout <seconds>', 'per request (default 60)')
    .option('--json', 'print the result as JSON on stdout');
}

interface StudyFlags extends ConnectionFlags {
  study?: string;
  patient?: string;
  accession?: string;
}

export function register(program: Command): void {
  const pacs = program
    .command('pacs')
    .description('DICOMweb with a PACS: pull a study, push files, or run a model on a study and store SEG + SR back');

  connection(
    pacs
      .command('pull')
      .description('retrieve series of a study (WADO-RS) into OUT/SERIES_UID/SOP_UID.dcm')
      .argument('<url>', 'DICOMweb root, e.g. http://pacs:8042/dicom-web')
      .requiredOption('-o, --output <dir>', 'folder to write into')
      .option('--study <uid>', 'Study Instance UID')
      .option('--patient <id>', 'find the study by Patient ID')
      .option('--accession <number>', 'find the study by Accession Number')
      .option('--series <uid>', 'one series (repeatable; default every series)', collect),
  ).action(async (url: string, flags: StudyFlags & { output: string; series?: string[] }) => {
    const c = client(url, flags);
    const study = await findStudy(c, { study: flags.study, patientId: flags.patient, accession: flags.accession });
    const pulled = await pullStudy(c, study, flags.output, flags.series);
    for (const s of pulled)
      process.stderr.write(`pacs: series ${s.uid}: ${s.files.length} instance(s) in ${s.folder}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ study, series: pulled })}\n`);
  });

  connection(
    pacs
      .command('push')
      .description('store DICOM files (STOW-RS), all of one study, in one request')
      .argument('<url>', 'DICOMweb root')
      .argument('<files...>', 'DICOM files'),
  ).action(async (url: string, files: string[], flags: ConnectionFlags) => {
    const result = await pushFiles(client(url, flags), files);
    process.stderr.write(`pacs: stored ${result.stored.length} instance(s) in study ${result.study}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  });

  connection(
    pacs
      .command('run')
      .description(
        'find a study, retrieve its image series, predict with a run, store the SEG and the SR of the findings back in the study, read them back',
      )
      .argument('<url>', 'DICOMweb root')
      .argument('<run>', 'run folder (or RUN/checkpoints/NAME.safetensors)')
      .requiredOption('-o, --output <dir>', 'work folder: input/ (the retrieved series) and output/ (SEG, SR)')
      .option('--study <uid>', 'Study Instance UID')
      .option('--patient <id>', 'find the study by Patient ID')
      .option('--accession <number>', 'find the study by Accession Number')
      .option('--series <uid>', 'the series to segment (default: the only image series)')
      .option('--modality <m>', 'the series of this modality (CT, MR ...)')
      .option('--checkpoint <best|last>', 'which checkpoint of the run')
      .option('--seg-type <binary|labelmap>', 'SEG type', 'binary')
      .option('--no-sr', 'no structured report')
      .option('--no-push', 'predict only: write SEG and SR to OUT/output without storing them')
      .option('--no-tta', 'no mirroring test-time augmentation'),
  ).action(
    async (
      url: string,
      run: string,
      flags: StudyFlags & {
        output: string;
        series?: string;
        modality?: string;
        checkpoint?: string;
        segType: string;
        sr: boolean;
        push: boolean;
        tta: boolean;
      },
    ) => {
      const segType = flags.segType.toUpperCase();
      if (segType !== 'BINARY' && segType !== 'LABELMAP')
        throw new OptionError('--seg-type', `must be binary or labelmap, got "${flags.segType}"`);
      const result = await withFlagNames({ checkpoint: '--checkpoint' }, () =>
        pacsRun(client(url, flags), {
          run,
          checkpoint: flags.checkpoint,
          study: flags.study,
          patientId: flags.patient,
          accession: flags.accession,
          series: flags.series,
          modality: flags.modality,
          output: flags.output,
          sr: flags.sr,
          push: flags.push,
          tta: flags.tta,
          segType,
          onProgress: (line) => process.stderr.write(`pacs: ${line}\n`),
        }),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    },
  );
}

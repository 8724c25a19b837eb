/**
 * `vesalius deid IN OUT`: DICOM de-identification by the PS3.15 Annex E Basic Application Level
 * Confidentiality Profile with its options (see src/deid).
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { deidentify } from '../deid/deidentify.js';
import type { DeidOptions } from '../deid/options.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface DeidFlags {
  profile: string;
  retainUids?: boolean;
  retainDates?: boolean;
  shiftDates?: string;
  retainDevice?: boolean;
  retainInstitution?: boolean;
  retainPatientCharacteristics?: boolean;
  retainSafePrivate?: boolean;
  cleanDescriptions?: boolean;
  cleanStructuredContent?: boolean;
  secret?: string;
  secretFile?: string;
  patientName?: string;
  patientId?: string;
  pseudonymize?: boolean;
  skipBurnedIn?: boolean;
  json?: boolean;
}

function secretOf(flags: DeidFlags): string | undefined {
  if (flags.secret && flags.secretFile) throw new OptionError('--secret', 'give --secret or --secret-file, not both');
  if (flags.secretFile) {
    try {
      return readFileSync(flags.secretFile, 'utf8').trim();
    } catch (e) {
      throw new OptionError(
        '--secret-file',
        `cannot read ${flags.secretFile} (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  return flags.secret ?? process.env.VESALIUS_DEID_SECRET;
}

export async function runDeid(input: string, output: string, flags: DeidFlags): Promise<void> {
  if (flags.profile !== 'basic')
    throw new OptionError(
      '--profile',
      `only "basic" (PS3.15 E.1 Basic Profile) is implemented, got "${flags.profile}"`,
    );
  let shiftDates: number | undefined;
  if (flags.shiftDates !== undefined) {
    shiftDates = Number(flags.shiftDates);
    if (!Number.isInteger(shiftDates))
      throw new OptionError('--shift-dates', `must be a whole number of days, got "${flags.shiftDates}"`);
  }
  const options: DeidOptions = {
    retainUids: flags.retainUids,
    retainDates: flags.retainDates,
    shiftDates,
    retainDevice: flags.retainDevice,
    retainInstitution: flags.retainInstitution,
    retainPatientCharacteristics: flags.retainPatientCharacteristics,
    retainSafePrivate: flags.retainSafePrivate,
    cleanDescriptions: flags.cleanDescriptions,
    cleanStructuredContent: flags.cleanStructuredContent,
    secret: secretOf(flags),
    patientName: flags.patientName,
    patientId: flags.patientId,
    pseudonymize: flags.pseudonymize,
    skipBurnedIn: flags.skipBurnedIn,
  };
  if (options.pseudonymize && (options.patientId || options.patientName))
    throw new OptionError(
      '--pseudonymize',
      'replaces Patient ID and Name itself: leave out --patient-id and --patient-name',
    );
  const summary = await withFlagNames({ output: 'OUT', shiftDates: '--shift-dates' }, () =>
    deidentify(input, output, options),
  );
  for (const b of summary.burnedIn)
    process.stderr.write(`deid: warning: ${b.input} may show identity in its pixels: ${b.reason}\n`);
  for (const s of summary.skipped) process.stderr.write(`deid: skipped ${s.input}: ${s.reason}\n`);
  if (!summary.repeatable)
    process.stderr.write(
      'deid: note: no --secret (or VESALIUS_DEID_SECRET): UIDs are mapped with a random key, consistent within this run only\n',
    );
  const t = summary.tally;
  process.stderr.write(
    `deid: wrote ${summary.written.length} file(s) to ${output}: ${t.removed} removed, ${t.emptied} emptied, ${t.dummied} dummy, ${t.uidsReplaced} UID, ${t.cleaned} cleaned, ${t.privateRemoved} private removed${t.privateKept ? `, ${t.privateKept} private kept` : ''}\n`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
}

export function register(program: Command): void {
  program
    .command('deid')
    .description(
      'de-identify DICOM files or folders: PS3.15 Annex E Basic Profile (Table E.1-1) with options; keyed UID mapping, private tags removed, pixel data untouched (burned-in text is warned about)',
    )
    .argument('<in>', 'DICOM file or folder (read only)')
    .argument(
      '<out>',
      'output folder (STUDY/SERIES/INSTANCE.dcm by the new UIDs), or OUT.dcm for one file; never inside IN',
    )
    .option('--profile <name>', 'confidentiality profile', 'basic')
    .option('--retain-uids', 'Retain UIDs Option')
    .option('--retain-dates', 'Retain Longitudinal Temporal Information with Full Dates Option')
    .option(
      '--shift-dates <days>',
      'Retain Longitudinal Temporal Information with Modified Dates Option: move dates by this many days',
    )
    .option('--retain-device', 'Retain Device Identity Option')
    .option('--retain-institution', 'Retain Institution Identity Option')
    .option('--retain-patient-characteristics', 'Retain Patient Characteristics Option (sex, age, size, weight ...)')
    .option('--retain-safe-private', 'Retain Safe Private Option (the private attributes of PS3.15 Table E.3.10-1)')
    .option(
      '--clean-descriptions',
      'Clean Descriptors Option: keep descriptions with identifying words and dates removed',
    )
    .option(
      '--clean-structured-content',
      'Clean Structured Content Option: keep SR content with identifying text removed',
    )
    .option(
      '--secret <key>',
      'key of the UID mapping and pseudonyms (same key → same UIDs in every run); or VESALIUS_DEID_SECRET',
    )
    .option('--secret-file <file>', 'read the key from a file')
    .option('--patient-name <name>', "Patient's Name to write (e.g. a subject code)")
    .option('--patient-id <id>', 'Patient ID to write')
    .option('--pseudonymize', 'Patient ID and Name become a keyed pseudonym of the original Patient ID')
    .option(
      '--skip-burned-in',
      'do not write files that may show identity in their pixels (ultrasound, secondary capture, Burned In Annotation YES ...)',
    )
    .option('--json', 'print the summary as JSON on stdout')
    .action(runDeid);
}

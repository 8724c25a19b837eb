/**
 * `deidentify(input, output, options)`: a DICOM file or a folder (recursively) into a new folder (or
 * file), each output written atomically and named by its new UIDs (STUDY/SERIES/INSTANCE.dcm: original
 * file and folder names may carry identity). The input is never written: an output inside the input
 * (or the input inside the output) is refused before anything is read. Every file is checked before the
 * first is written; non-DICOM files and DICOMDIRs (which hold identity and file paths) are left out.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { listFiles } from '../io/dicom/scan.js';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError, OptionError, VesaliusError } from '../util/errors.js';
import { newTally, type Tally } from './dataset.js';
import { deidentifyBytes, type FilePolicy, type FileResult } from './file.js';
import { activeOptions, type DeidOptions } from './options.js';

export interface DeidSummary {
  written: { input: string; output: string }[];
  /** Files left out: not DICOM, a DICOMDIR, or (with skipBurnedIn) possibly burned-in. */
  skipped: { input: string; reason: string }[];
  /** Files written whose pixels may show identity. */
  burnedIn: { input: string; output: string; reason: string }[];
  tally: Tally;
  /** Whether UIDs map the same way in another run (a secret was given). */
  repeatable: boolean;
  codes: string[];
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // a path that does not exist yet: resolve its nearest existing parent
    const parent = dirname(resolve(path));
    return parent === resolve(path)
      ? resolve(path)
      : join(realOrResolved(parent), resolve(path).slice(parent.length + 1));
  }
}

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

function isDicomFile(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

/**
 * De-identifies `input` (file or folder) into `output`.
 *
 * @throws OptionError when output and input overlap or the options conflict; FileFormatError for a
 *   missing input or a DICOM file that cannot be parsed (nothing is written then).
 * @example
 * await deidentify('study/', 'anonymous/', { secret: process.env.DEID_SECRET, shiftDates: -30 });
 */
export async function deidentify(input: string, output: string, options: DeidOptions = {}): Promise<DeidSummary> {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(input);
  } catch {
    throw new FileFormatError(input, 'no such file or folder');
  }
  const realIn = realOrResolved(input);
  const realOut = realOrResolved(output);
  if (inside(realOut, realIn))
    throw new OptionError(
      'output',
      `${output} is inside the input ${input}: de-identified files must never be written into (or over) the originals`,
    );
  if (info.isDirectory() && inside(realIn, realOut))
    throw new OptionError('output', `the input ${input} is inside the output ${output}: choose a separate folder`);
  const { keys, codes } = activeOptions(options);
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const policy: FilePolicy = {
    keys,
    codes,
    secret,
    shiftDays: options.shiftDates,
    patientName: options.patientName,
    patientId: options.patientId,
    pseudonymize: options.pseudonymize,
  };
  const files = info.isDirectory() ? await listFiles(input) : [input];
  const summary: DeidSummary = {
    written: [],
    skipped: [],
    burnedIn: [],
    tally: newTally(),
    repeatable: options.secret !== undefined,
    codes: codes.map((c) => c.value),
  };
  // every file is de-identified in memory first: a file that fails stops the run before anything is written
  const results: { input: string; result: FileResult }[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    if (/(^|[\\/])DICOMDIR$/i.test(file)) {
      summary.skipped.push({
        input: file,
        reason: 'a DICOMDIR (holds identity and file names): rebuild it from the output',
      });
      continue;
    }
    if (!isDicomFile(bytes)) {
      if (info.isDirectory()) {
        summary.skipped.push({ input: file, reason: 'not a DICOM Part 10 file' });
        continue;
      }
    }
    let result: FileResult;
    try {
      result = deidentifyBytes(file, bytes, policy);
    } catch (e) {
      if (e instanceof VesaliusError) throw e;
      throw new FileFormatError(file, `cannot be de-identified (${(e as Error).message})`);
    }
    if (result.burnedIn && options.skipBurnedIn) {
      summary.skipped.push({ input: file, reason: `may carry burned-in identity: ${result.burnedIn}` });
      continue;
    }
    results.push({ input: file, result });
  }
  const toFile = !info.isDirectory() && /\.dcm$/i.test(output);
  for (const { input: file, result } of results) {
    const target = toFile
      ? output
      : join(output, result.studyUid ?? 'no-study', result.seriesUid ?? 'no-series', `${result.sopInstanceUid}.dcm`);
    writeFileAtomic(target, result.bytes);
    summary.written.push({ input: file, output: target });
    if (result.burnedIn) summary.burnedIn.push({ input: file, output: target, reason: result.burnedIn });
    for (const [k, v] of Object.entries(result.tally)) summary.tally[k as keyof Tally] += v;
  }
  if (toFile && results.length === 0) throw new FileFormatError(input, 'nothing to write');
  return summary;
}

/**
 * The options of a de-identification run: the PS3.15 E.3 options (their CID 7050 codes go into the
 * De-identification Method Code Sequence), the secret that keys UID replacement and pseudonyms, and
 * what to put in Patient's Name / Patient ID.
 */
import type { Code } from '../io/dicom/seg/codes.js';
import { OptionError } from '../util/errors.js';
import type { OptionKey } from './table.js';

export interface DeidOptions {
  /** Retain UIDs Option (113110): keep every UID. */
  retainUids?: boolean;
  /** Retain Longitudinal Temporal Information with Full Dates Option (113106). */
  retainDates?: boolean;
  /** Retain Longitudinal Temporal Information with Modified Dates Option (113107): shift dates by this many days. */
  shiftDates?: number;
  /** Retain Device Identity Option (113109). */
  retainDevice?: boolean;
  /** Retain Institution Identity Option (113112). */
  retainInstitution?: boolean;
  /** Retain Patient Characteristics Option (113108): sex, age, size, weight ... */
  retainPatientCharacteristics?: boolean;
  /** Retain Safe Private Option (113111): the private attributes of Table E.3.10-1. */
  retainSafePrivate?: boolean;
  /** Clean Descriptors Option (113105): descriptions are kept with identifying text removed. */
  cleanDescriptions?: boolean;
  /** Clean Structured Content Option (113104): SR content is kept with identifying text removed. */
  cleanStructuredContent?: boolean;
  /**
   * Key of the UID mapping and of pseudonyms: the same secret maps a UID to the same new UID in every
   * run. Without one, a random key is used and the mapping holds for this run only.
   */
  secret?: string;
  /** Patient's Name and Patient ID to write (e.g. a study code); otherwise the profile's empty values. */
  patientName?: string;
  patientId?: string;
  /** Patient ID and Name become a keyed pseudonym of the original Patient ID ("ANON-" + 12 hex digits). */
  pseudonymize?: boolean;
  /** Leave out (do not write) files that may carry burned-in identifying text. */
  skipBurnedIn?: boolean;
}

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });

export const BASIC_PROFILE = dcm('113100', 'Basic Application Confidentiality Profile');

/** The options in effect as Table E.1-1 columns, with their CID 7050 codes. */
export function activeOptions(o: DeidOptions): { keys: Set<OptionKey>; codes: Code[] } {
  if (o.retainDates && o.shiftDates !== undefined)
    throw new OptionError('shiftDates', 'retaining full dates and shifting them are different options: choose one');
  if (o.shiftDates !== undefined && !Number.isInteger(o.shiftDates))
    throw new OptionError('shiftDates', `must be a whole number of days, got ${o.shiftDates}`);
  const keys = new Set<OptionKey>();
  const codes: Code[] = [BASIC_PROFILE];
  const on = (flag: boolean | undefined, key: OptionKey, code: Code) => {
    if (!flag) return;
    keys.add(key);
    codes.push(code);
  };
  on(o.cleanStructuredContent, 'struct', dcm('113104', 'Clean Structured Content Option'));
  on(o.cleanDescriptions, 'desc', dcm('113105', 'Clean Descriptors Option'));
  on(o.retainDates, 'fulldates', dcm('113106', 'Retain Longitudinal Temporal Information Full Dates Option'));
  on(
    o.shiftDates !== undefined,
    'moddates',
    dcm('113107', 'Retain Longitudinal Temporal Information Modified Dates Option'),
  );
  on(o.retainPatientCharacteristics, 'patient', dcm('113108', 'Retain Patient Characteristics Option'));
  on(o.retainDevice, 'device', dcm('113109', 'Retain Device Identity Option'));
  on(o.retainUids, 'uids', dcm('113110', 'Retain UIDs Option'));
  on(o.retainSafePrivate, 'safe', dcm('113111', 'Retain Safe Private Option'));
  on(o.retainInstitution, 'institution', dcm('113112', 'Retain Institution Identity Option'));
  return { keys, codes };
}

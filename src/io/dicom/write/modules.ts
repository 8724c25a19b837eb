/**
 * Modules a derived object (SEG, SR) copies from its source so that it files under the same patient
 * and study (PS3.3 C.7.1.1 Patient, C.7.2.1 General Study, C.7.2.2 Patient Study, C.7.1.3 / C.7.2.3
 * Clinical Trial Subject / Study), and the equipment that made it.
 */
import type { DicomDataset } from './dataset.js';

const PATIENT = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'OtherPatientIDsSequence',
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'LongitudinalTemporalInformationModified',
];
const STUDY = [
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'IssuerOfAccessionNumberSequence',
  'StudyDescription',
];
const PATIENT_STUDY = ['PatientAge', 'PatientSize', 'PatientWeight'];
const CLINICAL_TRIAL = [
  'ClinicalTrialSponsorName',
  'ClinicalTrialProtocolID',
  'ClinicalTrialProtocolName',
  'ClinicalTrialSiteID',
  'ClinicalTrialSiteName',
  'ClinicalTrialSubjectID',
  'ClinicalTrialSubjectReadingID',
  'ClinicalTrialTimePointID',
  'ClinicalTrialTimePointDescription',
];
/** Type 2 attributes: present, empty when the source lacks them. */
const REQUIRED_EMPTY = [
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
];

/** Patient, study and clinical-trial attributes of `source`, type 2 ones present even when empty. */
export function patientAndStudy(source: DicomDataset): DicomDataset {
  const out: DicomDataset = {};
  for (const key of [...PATIENT, ...STUDY, ...PATIENT_STUDY, ...CLINICAL_TRIAL]) {
    const value = source[key];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) out[key] = value;
  }
  for (const key of REQUIRED_EMPTY) if (out[key] === undefined) out[key] = '';
  return out;
}

export interface EquipmentOptions {
  /** Manufacturer's Model Name: the model or run that made the object (default "Vesalius"). */
  modelName?: string;
  /** Device Serial Number (default "0": software has none). */
  serialNumber?: string;
  /** Software Versions (default the package version). */
  softwareVersion?: string;
}

/** Vesalius's version, for Software Versions and algorithm identification. */
export const VESALIUS_VERSION = '0.1.0';

/** General and Enhanced General Equipment modules (PS3.3 C.7.5.1, C.7.5.2). */
export function equipment(options: EquipmentOptions = {}): DicomDataset {
  return {
    Manufacturer: 'Vesalius',
    ManufacturerModelName: (options.modelName ?? 'Vesalius').slice(0, 64),
    DeviceSerialNumber: (options.serialNumber ?? '0').slice(0, 64),
    SoftwareVersions: (options.softwareVersion ?? VESALIUS_VERSION).slice(0, 64),
  };
}
